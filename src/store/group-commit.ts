/**
 * Group commit for the embedded store. Writes arriving in one turn of the
 * event loop run in one transaction, each inside its own savepoint (a write
 * that fails is rolled back alone), and the batch is committed with one
 * fsync. Nobody is answered before that commit, so durability is unchanged;
 * only the number of fsyncs goes down when writes arrive together.
 */
import type { Transactions } from './sqlite-transactions.js';

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled = false;

  constructor(private readonly transactions: Transactions) {}

  /** Runs `write` in the next batch; resolves with its result once the batch is committed. */
  submit<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    this.scheduled = false;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.transactions.run(
        () => {
          for (const { write } of batch) {
            try {
              // Inside the batch's transaction this is a savepoint of its own.
              outcomes.push({ ok: true, value: this.transactions.run(write) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        },
        { immediate: true },
      );
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
