/** `npm start`: serve until SIGTERM or SIGINT, then stop in order. */
import './runtime.js';
import cluster from 'node:cluster';
import { loadConfig } from './config.js';
import { startService } from './service.js';
import { runPrimary } from './workers.js';

const config = loadConfig();

if (config.workers > 1 && cluster.isPrimary) {
  await runPrimary(config);
} else {
  // A worker's primary has already prepared the store and written the first key.
  const service = await startService(cluster.isWorker ? { ...config, bootstrapKeyFile: undefined } : config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      service.stop().then(
        () => process.exit(0),
        (err) => {
          console.error(err);
          process.exit(1);
        },
      );
    });
  }
}
