import type { Statement } from 'better-sqlite3';
import { diskFailureOf, type StoreHealth } from '../store-health';
import { schemaVersion, type Db } from './database';
import { WalSync } from './wal-sync';
import type { WriteFault } from './write-fault';

/** What the batcher reports write failures to, and the test switch that makes them happen. */
export interface WriteGuard {
  health?: StoreHealth;
  fault?: WriteFault;
}

interface PendingWrite {
  fn: () => unknown;
  /** The write throws only before it changes anything, so it needs no savepoint of its own. */
  checksFirst: boolean;
  /**
   * Must be on disk when its promise settles. False for dispatch bookkeeping: a lease or an
   * outcome lost in a crash only means the task is delivered again, which at-least-once allows.
   */
  durable: boolean;
  // A method, so each write's resolve (of its own T) fits here; the batcher hands back what fn returned.
  resolve(value: unknown): void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: writes issued during one turn of the event loop share a transaction, each in its
 * own savepoint so one failing write does not undo the others. Callers' promises settle only
 * after COMMIT, and durable writes only after the WAL is synced (wal-sync.ts), so a resolved
 * durable write survives a crash.
 *
 * A transaction takes at most `maxGroup` writes; the rest wait for the next turn. A client that
 * keeps N calls in flight sends them in bursts, and answering a whole burst only after writing all
 * of it made client and server take turns, each idle while the other worked (bench/create: the
 * client sat idle ~22% of the time and the CreateTask rate fell to ~80% of the bare server's).
 * With capped groups the first answers leave while the next group is being written.
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

  readonly wal: WalSync;

  constructor(
    private readonly db: Db,
    private readonly maxGroup = 32,
    private readonly guard: WriteGuard = {},
  ) {
    this.wal = new WalSync(db);
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
      this.schedule();
    });
  }

  /**
   * A small durable write that tells whether the disk takes writes again: it rewrites the schema
   * version (one page of the WAL) and waits for its fsync.
   */
  probe(): Promise<void> {
    return this.run(() => {
      this.db.pragma(`user_version = ${schemaVersion(this.db)}`);
    });
  }

  /** Runs everything queued now, synchronously. */
  flush(): void {
    while (this.pending.length) this.commitGroup();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commitGroup();
      if (this.pending.length) this.schedule();
    });
  }

  private commitGroup(): void {
    const batch = this.pending.length > this.maxGroup ? this.pending.splice(0, this.maxGroup) : this.pending;
    if (!batch.length) return;
    if (batch === this.pending) this.pending = [];
    const outcomes: Array<{ ok: boolean; value: unknown }> = new Array(batch.length);
    try {
      this.begin.run();
      for (let i = 0; i < batch.length; i++) {
        if (batch[i].checksFirst) {
          try {
            outcomes[i] = { ok: true, value: batch[i].fn() };
          } catch (err) {
            // The disk refusing a write may have cost SQLite the whole transaction: the group fails.
            if (diskFailureOf(err)) throw err;
            outcomes[i] = { ok: false, value: err };
          }
          continue;
        }
        this.savepoint.run();
        try {
          outcomes[i] = { ok: true, value: batch[i].fn() };
          this.release.run();
        } catch (err) {
          if (diskFailureOf(err)) throw err;
          this.rollbackTo.run();
          this.release.run();
          outcomes[i] = { ok: false, value: err };
        }
      }
      this.guard.fault?.check();
      this.commit.run();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.rollback.run();
      } catch {
        // SQLite already rolled the transaction back when the disk failed under it.
      }
      const answer = this.answerFor(err);
      for (const w of batch) w.reject(answer);
      return;
    }
    const settle = (syncError?: unknown) => {
      const answer = syncError === undefined ? undefined : this.answerFor(syncError);
      for (let i = 0; i < batch.length; i++) {
        if (answer !== undefined && batch[i].durable && outcomes[i].ok) batch[i].reject(answer);
        else if (outcomes[i].ok) batch[i].resolve(outcomes[i].value);
        else batch[i].reject(outcomes[i].value);
      }
    };
    if (batch.some((w) => w.durable)) {
      this.wal.sync().then(() => settle(), (err) => settle(err));
    } else {
      settle();
    }
  }

  /** A refused write answers the store's retryable error (store-health.ts); anything else as it came. */
  private answerFor(err: unknown): unknown {
    return this.guard.health?.writeFailed(err) ?? err;
  }
}
