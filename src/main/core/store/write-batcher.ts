import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/**
 * Which commits wait for the disk. A created task must survive a crash the moment CreateTask
 * returns (fsync). Dispatch bookkeeping need not: a lease or an outcome lost in a crash only
 * means the task is delivered again, which at-least-once allows; the next durable commit or
 * checkpoint writes it out anyway. Switching per commit keeps fsync off the dispatch path.
 */
export class SyncMode {
  private full: boolean | undefined;

  constructor(private readonly db: Db) {}

  require(durable: boolean): void {
    if (this.full === durable || this.db.memory || this.db.inTransaction) return;
    this.db.pragma(durable ? 'synchronous = FULL' : 'synchronous = NORMAL');
    this.full = durable;
  }
}

interface PendingWrite {
  fn: () => unknown;
  /** The write throws only before it changes anything, so it needs no savepoint of its own. */
  checksFirst: boolean;
  /** Must be on disk when its promise settles (false: losing it in a crash is harmless). */
  durable: boolean;
  resolve: (value: any) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: every write issued during one turn of the event loop runs in a single
 * transaction, each in its own savepoint so one failing write does not undo the others.
 * Callers' promises settle only after COMMIT, so a resolved write is durable.
 */
export class WriteBatcher {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private readonly savepoint: Statement;
  private readonly release: Statement;
  private readonly rollbackTo: Statement;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private readonly rollback: Statement;

  readonly sync: SyncMode;

  constructor(
    private readonly db: Db,
    private readonly maxBatch = 1000,
  ) {
    this.sync = new SyncMode(db);
    this.savepoint = db.prepare('SAVEPOINT write');
    this.release = db.prepare('RELEASE write');
    this.rollbackTo = db.prepare('ROLLBACK TO write');
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
  }

  run<T>(fn: () => T, options: { checksFirst?: boolean; durable?: boolean } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, checksFirst: !!options.checksFirst, durable: options.durable !== false, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs everything queued now, synchronously. */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (!batch.length) return;
    this.pending = [];
    const outcomes: Array<{ ok: boolean; value: unknown }> = new Array(batch.length);
    this.sync.require(batch.some((w) => w.durable));
    try {
      this.begin.run();
      for (let i = 0; i < batch.length; i++) {
        if (batch[i].checksFirst) {
          try {
            outcomes[i] = { ok: true, value: batch[i].fn() };
          } catch (err) {
            outcomes[i] = { ok: false, value: err };
          }
          continue;
        }
        this.savepoint.run();
        try {
          outcomes[i] = { ok: true, value: batch[i].fn() };
          this.release.run();
        } catch (err) {
          this.rollbackTo.run();
          this.release.run();
          outcomes[i] = { ok: false, value: err };
        }
      }
      this.commit.run();
    } catch (err) {
      if (this.db.inTransaction) this.rollback.run();
      for (const w of batch) w.reject(err);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      if (outcomes[i].ok) batch[i].resolve(outcomes[i].value);
      else batch[i].reject(outcomes[i].value);
    }
  }
}
