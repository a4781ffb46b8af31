/**
 * Transactions on one node:sqlite connection, through statements prepared
 * once. The outermost call BEGINs and COMMITs; a call made inside a
 * transaction is a SAVEPOINT, so a failure there undoes only its own work.
 * On failure whatever SQLite has not already rolled back itself is rolled
 * back, then the error is rethrown.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class Transactions {
  private readonly begin: StatementSync;
  private readonly beginImmediate: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;
  private readonly savepoint: StatementSync;
  private readonly release: StatementSync;
  private readonly rollbackTo: StatementSync;

  constructor(private readonly db: DatabaseSync) {
    this.begin = db.prepare('BEGIN');
    this.beginImmediate = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = db.prepare('SAVEPOINT nested');
    this.release = db.prepare('RELEASE nested');
    this.rollbackTo = db.prepare('ROLLBACK TO nested');
  }

  /**
   * Runs `work` in a new transaction, or in a savepoint of the current one.
   * `immediate` takes the write lock when the transaction begins, so a writer
   * waits for another process's write there (busy timeout) rather than failing
   * later, at its first write.
   */
  run<T>(work: () => T, { immediate = false } = {}): T {
    const nested = this.db.isTransaction;
    (nested ? this.savepoint : immediate ? this.beginImmediate : this.begin).run();
    try {
      const result = work();
      (nested ? this.release : this.commit).run();
      return result;
    } catch (err) {
      if (this.db.isTransaction) {
        if (nested) {
          this.rollbackTo.run();
          this.release.run();
        } else {
          this.rollback.run();
        }
      }
      throw err;
    }
  }
}
