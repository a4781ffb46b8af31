/**
 * `npm start`: serve until SIGTERM or SIGINT, then stop in order. A start
 * that fails for a reason in the settings prints one sentence saying which
 * setting to change, and exits 1. With WORKERS=N above 1 this process is the
 * cluster primary and its workers run this same file.
 */
import './runtime.js';
import cluster from 'node:cluster';
import { loadConfig, type Config } from './config.js';
import { startService, type RunningService } from './service.js';
import { StartupError } from './startup-failure.js';
import { runPrimary } from './workers.js';

/** Runs `start`; a StartupError ends the process with its sentence and exit code 1. */
async function orExplain<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
}

const config: Config = await orExplain(async () => loadConfig());

if (config.workers > 1 && cluster.isPrimary) {
  await orExplain(() => runPrimary(config));
} else {
  // A worker finds the store its primary prepared, first key included, so it writes none.
  const service: RunningService = await orExplain(() => startService(config));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop(signal).then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
}
