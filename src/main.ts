/**
 * `npm start`: serve until SIGTERM or SIGINT, then stop in order. A start
 * that fails for a reason in the settings prints one sentence saying which
 * setting to change, and exits 1.
 */
import './runtime.js';
import { loadConfig } from './config.js';
import { startService, type RunningService } from './service.js';
import { StartupError } from './startup-failure.js';

let service: RunningService;
try {
  service = await startService(loadConfig());
} catch (err) {
  if (!(err instanceof StartupError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

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
