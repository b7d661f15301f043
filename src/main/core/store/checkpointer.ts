import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the dispatch path: the main connection never checkpoints by itself
 * (wal_autocheckpoint = 0); a worker thread with its own connection copies the WAL back into the
 * database every second.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { /* busy: next tick */ }
}, workerData.intervalMs);
parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    try { db.close(); } catch {}
    parentPort.postMessage('stopped');
  }
});
`;

export class Checkpointer {
  private readonly worker: Worker;

  /** nativeBinding: the same compiled better-sqlite3 the main connection loaded (see database.ts). */
  constructor(file: string, options: { intervalMs?: number; nativeBinding?: string } = {}) {
    const driver = require.resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: path.resolve(file), driver, intervalMs: options.intervalMs ?? 1000, nativeBinding: options.nativeBinding },
    });
    // A worker that cannot run (its driver fails to load) must not take the engine down with it:
    // the WAL then only grows until the next start checkpoints it.
    this.worker.on('error', (err) => console.error(`tasklight: WAL checkpoints stopped: ${err.message}`));
    this.worker.unref();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => resolve();
      this.worker.once('message', () => void this.worker.terminate().then(done, done));
      this.worker.once('exit', done);
      this.worker.postMessage('stop');
    });
  }
}
