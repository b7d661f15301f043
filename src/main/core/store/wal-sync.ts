import * as fs from 'node:fs';
import type { Db } from './database';

/**
 * Makes committed transactions durable without blocking the event loop. Commits run with
 * synchronous=NORMAL (in WAL mode a commit is then a write into the OS cache: a killed process
 * loses nothing, a power cut could); a write that must survive a power cut as well — a created
 * task — settles only after an fsync of the WAL file, which runs on libuv's thread pool while the
 * next batch is already being collected. One fsync covers every commit made before it started.
 */
export class WalSync {
  private fd: number | undefined;
  private inFlight: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(private readonly db: Db) {
    if (!db.memory) db.pragma('synchronous = NORMAL');
  }

  /** Resolves once every transaction committed so far is on disk. */
  sync(): Promise<void> {
    if (this.db.memory) return Promise.resolve();
    // A sync that has not started yet will cover this commit too.
    if (this.next) return this.next;
    const after = this.inFlight ?? Promise.resolve();
    const next = after
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        const run = this.fsync();
        this.inFlight = run;
        void run.catch(() => undefined).then(() => {
          if (this.inFlight === run) this.inFlight = undefined;
        });
        return run;
      });
    this.next = next;
    return next;
  }

  private fsync(): Promise<void> {
    return new Promise((resolve, reject) => {
      let fd: number;
      try {
        fd = this.fd ??= this.open();
      } catch (err) {
        return reject(err);
      }
      fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  private open(): number {
    try {
      return fs.openSync(`${this.db.name}-wal`, 'r+');
    } catch (err) {
      // No WAL (a filesystem where WAL mode could not be set): the database file takes the commits.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fs.openSync(this.db.name, 'r+');
      throw err;
    }
  }

  /** Closes the WAL handle once any sync under way has finished. */
  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    const done = () => fs.close(fd, () => undefined);
    (this.next ?? this.inFlight ?? Promise.resolve()).then(done, done);
  }
}
