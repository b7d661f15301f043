/**
 * What recording a dispatch outcome costs the store, with and without a savepoint around the
 * group (the dispatcher's completion group runs without one; see dispatcher.ts `complete`).
 *
 *   node --import tsx bench/completion-writes.ts [--runs 5] [--tasks 20000] [--group 32]
 *
 * A durable store holds `tasks` leased tasks with generated IDs and a 620-byte payload. For each,
 * the statements a successful attempt runs: the attempt row, the finished-task copy, the delete;
 * `group` tasks per transaction, as the dispatcher commits them (store/dispatch-store.ts). Prints µs
 * per task (medians).
 * One process, no network: the figures repeat closely from run to run, unlike the end-to-end
 * dispatch bench on a shared machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../src/main/core/store/database';
import { DispatchStore } from '../src/main/core/store/dispatch-store';
import { HistoryStore } from '../src/main/core/store/history-store';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '20000' },
    group: { type: 'string', default: '32' },
  },
});
const RUNS = Number(opts.runs);
const N = Number(opts.tasks);
const GROUP = Number(opts.group);
const QUEUE = 'projects/bench/locations/us-central1/queues/throughput';
const LAST_ATTEMPT = JSON.stringify({ scheduleTime: { seconds: 1 }, dispatchTime: { seconds: 1 }, responseTime: { seconds: 1 }, responseStatus: {} });

function run(savepoint: boolean): { perTaskUs: number; finishUs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-completion-'));
  const db = openDatabase(dir);
  try {
    const history = new HistoryStore(db);
    const store = new DispatchStore(db);
    const insert = db.prepare('INSERT INTO tasks (queue, task_id, schedule_us, create_us, payload, named, lease_until_us, dispatch_count) VALUES (?, ?, ?, ?, ?, 0, ?, 1)');
    const payload = Buffer.alloc(620, 7);
    const firstId = 1_763_903_512_345_678_000n;
    db.transaction(() => {
      for (let i = 0; i < N; i++) insert.run(QUEUE, String(firstId + BigInt(i * 7)), 1000 + i, 1000 + i, payload, 5e15);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const [begin, commit, open, release] = ['BEGIN', 'COMMIT', 'SAVEPOINT outcome', 'RELEASE outcome'].map((sql) => db.prepare(sql));
    const request = { method: 'POST', url: 'http://127.0.0.1:8080/send-email', headers: { 'Content-Type': 'application/json', 'User-Agent': 'Google-Cloud-Tasks' }, body: payload.subarray(0, 500).toString('base64'), bodySize: 500 };
    let finishNs = 0n;
    const t0 = process.hrtime.bigint();
    for (let g = 1; g <= N; g += GROUP) {
      begin.run();
      if (savepoint) open.run();
      for (let seq = g; seq < Math.min(N + 1, g + GROUP); seq++) {
        const row = store.progress(seq)!;
        history.insertAttempt(history.prepareAttempt({
          queue: QUEUE, taskId: row.task_id, attempt: 1, scheduleUs: 1, dispatchUs: 1, responseUs: 2, durationMs: 1, status: 200,
          outcome: 'success', error: null, request, response: { headers: { 'content-length': '2' }, body: 'b2s=', truncated: false }, runTask: false,
        }));
        const a = process.hrtime.bigint();
        store.copyToFinished(seq, 'succeeded', 2, true, LAST_ATTEMPT);
        finishNs += process.hrtime.bigint() - a;
        store.remove(seq);
      }
      if (savepoint) release.run();
      commit.run();
    }
    const totalNs = process.hrtime.bigint() - t0;
    return { perTaskUs: Number(totalNs) / 1000 / N, finishUs: Number(finishNs) / 1000 / N };
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows: Record<string, Array<{ perTaskUs: number; finishUs: number }>> = { without: [], with: [] };
for (let i = 0; i < RUNS; i++) {
  rows.without.push(run(false));
  rows.with.push(run(true));
  console.error(`run ${i + 1}: without ${rows.without[i].perTaskUs.toFixed(1)} µs/task, with a savepoint ${rows.with[i].perTaskUs.toFixed(1)} µs/task`);
}
console.log(`| ${N.toLocaleString('en')} outcomes, ${GROUP} per commit | µs per task (median of ${RUNS}) | of which the finished-task copy |`);
console.log('| --- | --- | --- |');
for (const [label, key] of [['no savepoint (as dispatched)', 'without'], ['a savepoint around the group', 'with']] as const) {
  console.log(`| ${label} | ${median(rows[key].map((r) => r.perTaskUs)).toFixed(1)} | ${median(rows[key].map((r) => r.finishUs)).toFixed(1)} |`);
}
