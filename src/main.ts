/** `npm start`: serve until SIGTERM or SIGINT, then stop in order. */
import './runtime.js';
import { loadConfig } from './config.js';
import { startService, type RunningService } from './service.js';

let service: RunningService;
try {
  service = await startService(loadConfig());
} catch (err) {
  // A refusal to start is a message for the operator, not a crash.
  console.error(`collection-service did not start: ${(err as Error).message}`);
  process.exit(1);
}

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
