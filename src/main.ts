/** `npm start`: serve until SIGTERM or SIGINT, then stop in order. */
import './runtime.js';
import { loadConfig } from './config.js';
import { startService } from './service.js';

const service = await startService(loadConfig());

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
