/**
 * Dispatch benchmarks (issue: dispatch like Cloud Tasks).
 *
 *   node --import tsx bench/dispatch.ts [--runs 3] [--only throughput,lateness,rate,storm]
 *
 * The handler is a no-op HTTP server in its own process (bench/lib/recording-handler.ts); Tasklight
 * runs in its own process too, on a durable store. Every figure is a median over the runs.
 * - throughput: 20,000 due tasks, limits lifted, against the ceiling of a bare undici client
 *   sending the same POSTs (500-byte body, Cloud Tasks headers) to the same handler, same run;
 *   every task must arrive exactly once.
 * - lateness: 500 tasks spread over 10 s; arrival minus schedule_time, beside Node's own timer
 *   lateness measured in the same run.
 * - rate: a 50/s queue with 600 due tasks: the burst, then the steady rate.
 * - storm: 2,000 tasks that fail twice then succeed (min_backoff 0.1 s): deliveries, and the
 *   retry gaps against the backoff schedule.
 */
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { SystemClock } from '../src/main/core/clock';
import { Engine } from '../src/main/core/engine';
import { resolveSettings, type EngineSettings } from '../src/main/core/settings';
import { startChild, type Child } from './lib/children';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    only: { type: 'string', default: 'throughput,lateness,rate,storm' },
    tasks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '256' },
  },
});
const RUNS = Number(opts.runs);
const ONLY = new Set(opts.only!.split(','));
const TASKS = Number(opts.tasks);
const CONCURRENCY = Number(opts.concurrency);
const LOCATION = 'projects/bench/locations/us-central1';
const here = __dirname;
const LIFTED: Partial<EngineSettings> = { liftLimits: true };
const BODY = Buffer.from(JSON.stringify({ userId: 42, template: 'welcome', padding: 'x'.repeat(460) }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-dispatch-'));

function grpcClient(port: number) {
  return new CloudTasksClient({ apiEndpoint: '127.0.0.1', port, sslCreds: credentials.createInsecure() });
}

async function handler(mode = 'ok'): Promise<Child> {
  return startChild(path.join(here, 'lib/recording-handler.ts'), [mode]);
}

async function tasklight(dir: string, settings: Partial<EngineSettings> = {}): Promise<Child> {
  // BENCH_PROFILE=DIR writes a CPU profile of the Tasklight process there.
  const flags = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return startChild(path.join(here, 'lib/tasklight-server.ts'), [dir, JSON.stringify(settings)], flags);
}

async function waitForCount(h: Child, count: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count: seen } = await h.ask('count');
    if (seen >= count) return seen;
    if (Date.now() > deadline) throw new Error(`handler saw ${seen} of ${count} requests`);
    await sleep(5);
  }
}

function taskFor(url: string, extra: object = {}) {
  return {
    httpRequest: { url, httpMethod: 'POST', headers: { 'Content-Type': 'application/json' }, body: BODY },
    ...extra,
  };
}

/** Fills a paused queue straight through the engine (group commit), then closes the store. */
async function prefill(dir: string, queue: ProtoQueue, count: number, url: string, settings: Partial<EngineSettings>) {
  const engine = Engine.open(dir, new SystemClock(), resolveSettings(settings));
  await engine.createQueue(LOCATION, queue, true);
  await engine.setQueueState(queue.name, 'PAUSED');
  for (let done = 0; done < count; done += 5000) {
    const n = Math.min(5000, count - done);
    await Promise.all(Array.from({ length: n }, () => engine.createTask(queue.name, taskFor(url), 'BASIC')));
  }
  await engine.shutdown();
}

type ProtoQueue = { name: string; [k: string]: any };

// ---- throughput ----

async function ceiling(port: number, total: number, concurrency = CONCURRENCY): Promise<number> {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const url = `http://127.0.0.1:${port}/send-email`;
  let issued = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const i = issued++;
        const res = await request(url, {
          dispatcher: agent,
          method: 'POST',
          body: BODY,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'Google-Cloud-Tasks',
            'X-CloudTasks-QueueName': 'bench',
            'X-CloudTasks-TaskName': String(1e18 + i),
            'X-CloudTasks-TaskRetryCount': '0',
            'X-CloudTasks-TaskExecutionCount': '0',
            'X-CloudTasks-TaskETA': (Date.now() / 1000).toFixed(6),
          },
        });
        await res.body.dump();
      }
    }),
  );
  const rate = total / ((performance.now() - t0) / 1000);
  await agent.close();
  return rate;
}

async function throughputRun() {
  const h = await handler();
  try {
    const bare = await ceiling(h.ready.port, TASKS);
    await h.ask('reset');
    const dir = tempDir();
    const queue = {
      name: `${LOCATION}/queues/throughput`,
      rateLimits: { maxDispatchesPerSecond: 1_000_000, maxBurstSize: 10_000, maxConcurrentDispatches: CONCURRENCY },
    };
    await prefill(dir, queue, TASKS, `http://127.0.0.1:${h.ready.port}/send-email`, LIFTED);
    const tl = await tasklight(dir, LIFTED);
    const c = grpcClient(tl.ready.grpcPort);
    try {
      const cpu0 = await tl.ask('cpu');
      const t0 = performance.now();
      await c.resumeQueue({ name: queue.name });
      await waitForCount(h, TASKS, 120_000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = await tl.ask('cpu');
      // CPU of Tasklight's process (all threads) per task: steadier than the rate on a shared machine.
      const cpuUsPerTask = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / TASKS;
      await sleep(300);
      const { arrivals } = await h.ask('stats');
      const distinct = new Set(arrivals.map((a: any) => a[0])).size;
      const [left] = await c.listTasks({ parent: queue.name, pageSize: 10 }, { autoPaginate: false });
      return { bare, tasklight: TASKS / seconds, cpuUsPerTask, delivered: arrivals.length, distinct, leftInQueue: left.length };
    } finally {
      await c.close();
      await tl.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    await h.stop();
  }
}

// ---- lateness ----

async function nodeTimerLateness(count: number, spreadMs: number): Promise<number[]> {
  const start = performance.now() + 200;
  const late: number[] = [];
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const due = start + (i * spreadMs) / count;
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          late.push((performance.now() - due) * 1000);
          resolve();
        }, due - performance.now()),
      );
    }),
  );
  return late;
}

async function latenessRun() {
  const h = await handler();
  const dir = tempDir();
  const tl = await tasklight(dir);
  const c = grpcClient(tl.ready.grpcPort);
  try {
    const queue = `${LOCATION}/queues/lateness`;
    await c.createQueue({ parent: LOCATION, queue: { name: queue } });
    // A few tasks first, so Tasklight's connection to the handler is open, as in a running app.
    await Promise.all(Array.from({ length: 5 }, () => c.createTask({ parent: queue, task: taskFor(`http://127.0.0.1:${h.ready.port}/w`) as any })));
    await waitForCount(h, 5, 10_000);
    await h.ask('reset');
    const startUs = nowUs() + 2_000_000;
    const scheduled = new Map<string, number>();
    const N = 500;
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const at = startUs + Math.round((i * 10_000_000) / N);
        const [t] = await c.createTask({
          parent: queue,
          task: { ...taskFor(`http://127.0.0.1:${h.ready.port}/remind`), scheduleTime: { seconds: Math.floor(at / 1e6), nanos: (at % 1e6) * 1000 } } as any,
        });
        scheduled.set(t.name!.split('/').pop()!, at);
      }),
    );
    await waitForCount(h, N, 30_000);
    const { arrivals } = await h.ask('stats');
    const late = arrivals.map((a: any) => a[2] - scheduled.get(a[0])!);
    const node = await nodeTimerLateness(N, 10_000);
    return { p50: pct(late, 50), p99: pct(late, 99), max: Math.max(...late), min: Math.min(...late), nodeP99: pct(node, 99) };
  } finally {
    await c.close();
    await tl.stop();
    await h.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- rate accuracy ----

async function rateRun() {
  const h = await handler();
  const dir = tempDir();
  const tl = await tasklight(dir);
  const c = grpcClient(tl.ready.grpcPort);
  try {
    const queue = `${LOCATION}/queues/rate50`;
    const [q] = await c.createQueue({ parent: LOCATION, queue: { name: queue, rateLimits: { maxDispatchesPerSecond: 50 } } });
    await c.pauseQueue({ name: queue });
    const N = 600;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: 100 }, () => c.createTask({ parent: queue, task: taskFor(`http://127.0.0.1:${h.ready.port}/r`) as any })));
    }
    // Open Tasklight's connections to the handler first, as in any running app, so the burst's
    // arrivals are not spread by connection set-up.
    const warm = `${LOCATION}/queues/warm-up`;
    await c.createQueue({ parent: LOCATION, queue: { name: warm } });
    await Promise.all(Array.from({ length: 20 }, () => c.createTask({ parent: warm, task: taskFor(`http://127.0.0.1:${h.ready.port}/w`) as any })));
    await waitForCount(h, 20, 10_000);
    await h.ask('reset');
    await c.resumeQueue({ name: queue });
    await waitForCount(h, N, 60_000);
    const { arrivals } = await h.ask('stats');
    const times = arrivals.map((a: any) => a[2]).sort((a: number, b: number) => a - b);
    // The burst: the requests that arrived back to back at the start, before the first gap of
    // half a refill interval (10 ms at 50/s). Counting a fixed window instead depends on when the
    // first connection happened to open.
    let burst = 1;
    while (burst < times.length && times[burst] - times[burst - 1] < 10_000) burst++;
    const steady = times.filter((t: number) => t - times[0] >= 200_000);
    const rate = (steady.length - 1) / ((steady[steady.length - 1] - steady[0]) / 1e6);
    return { burst, expectedBurst: q.rateLimits!.maxBurstSize, rate };
  } finally {
    await c.close();
    await tl.stop();
    await h.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- retry storm ----

async function stormRun() {
  const h = await handler('fail-twice');
  const dir = tempDir();
  const N = 2000;
  const MIN_BACKOFF_US = 100_000;
  const queue = {
    name: `${LOCATION}/queues/storm`,
    rateLimits: { maxDispatchesPerSecond: 1_000_000, maxBurstSize: 10_000, maxConcurrentDispatches: 1000 },
    retryConfig: { minBackoff: { seconds: 0, nanos: MIN_BACKOFF_US * 1000 }, maxBackoff: { seconds: 10 }, maxDoublings: 16 },
  };
  // The ceiling of this machine right now: a bare client against the same handler, as many in
  // flight as the storm queue allows.
  const bare = await ceiling(h.ready.port, 10_000, queue.rateLimits.maxConcurrentDispatches);
  await h.ask('reset');
  await prefill(dir, queue, N, `http://127.0.0.1:${h.ready.port}/flaky`, LIFTED);
  const tl = await tasklight(dir, LIFTED);
  const c = grpcClient(tl.ready.grpcPort);
  try {
    await c.resumeQueue({ name: queue.name });
    await waitForCount(h, 3 * N, 60_000);
    await sleep(1500); // anything beyond 6,000 would show up here
    const { arrivals } = await h.ask('stats');
    const byTask = new Map<string, Array<[number, number]>>();
    for (const [task, retry, at, eta] of arrivals) {
      const list = byTask.get(task) ?? [];
      list[retry] = [at, eta];
      byTask.set(task, list);
    }
    const errors: number[] = [];
    const ratios: number[] = [];
    const scheduledErrors: number[] = [];
    const retryLateness: number[] = [];
    for (const list of byTask.values()) {
      for (const k of [1, 2]) {
        const backoff = MIN_BACKOFF_US * 2 ** (k - 1);
        const [prevAt] = list[k - 1];
        const [at, eta] = list[k];
        ratios.push((at - prevAt) / backoff);
        errors.push(Math.abs((at - prevAt) / backoff - 1));
        // The schedule Tasklight set (ETA) against the previous arrival: backoff plus that answer's trip.
        scheduledErrors.push(Math.abs((eta - prevAt) / backoff - 1));
        retryLateness.push(at - eta);
      }
    }
    const firsts = arrivals.filter((a: any) => a[1] === 0).map((a: any) => a[2]);
    const firstRoundUs = Math.max(...firsts) - Math.min(...firsts);
    const [left] = await c.listTasks({ parent: queue.name, pageSize: 10 }, { autoPaginate: false });
    return {
      bare,
      deliveries: arrivals.length,
      tasks: byTask.size,
      leftInQueue: left.length,
      gapErrorP50: pct(errors, 50),
      gapErrorP99: pct(errors, 99),
      within20: errors.filter((e) => e <= 0.2).length / errors.length,
      scheduledErrorP50: pct(scheduledErrors, 50),
      scheduledWithin20: scheduledErrors.filter((e) => e <= 0.2).length / scheduledErrors.length,
      retryLatenessP50Ms: pct(retryLateness, 50) / 1000,
      firstRoundMs: firstRoundUs / 1000,
      firstRoundRate: N / (firstRoundUs / 1e6),
      // Due tasks go out in schedule order, so every first attempt leaves before any retry; a first
      // retry lands within 20% of its 0.1 s backoff only if the whole first round takes ≤ 0.12 s.
      neededRate: N / (1.2 * MIN_BACKOFF_US / 1e6),
      // Gap over backoff: never below 1 means no retry went out early.
      minRatio: Math.min(...ratios),
      stormSeconds: (Math.max(...arrivals.map((a: any) => a[2])) - Math.min(...arrivals.map((a: any) => a[2]))) / 1e6,
    };
  } finally {
    await c.close();
    await tl.stop();
    await h.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.error(`bench/dispatch: ${RUNS} runs, ${os.cpus().length} cores`);
  const out: any = { date: new Date().toISOString(), runs: RUNS };
  const lines: string[] = [];
  if (ONLY.has('throughput')) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await throughputRun());
      console.error('throughput run', i + 1, JSON.stringify(runs[i]));
    }
    const bare = median(runs.map((r) => r.bare));
    const tl = median(runs.map((r) => r.tasklight));
    out.throughput = { bare, tasklight: tl, share: tl / bare, runs };
    const exact = runs.every((r) => r.delivered === TASKS && r.distinct === TASKS && r.leftInQueue === 0);
    lines.push(`| dispatch, ${TASKS} due tasks, limits lifted | ${tl.toFixed(0)} tasks/s, ${median(runs.map((r) => r.cpuUsPerTask)).toFixed(0)} µs CPU/task | bare undici ${bare.toFixed(0)} req/s | ${(100 * tl / bare).toFixed(1)}% | ${exact ? 'every task delivered exactly once' : 'DELIVERY MISMATCH'} |`);
  }
  if (ONLY.has('lateness')) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await latenessRun());
      console.error('lateness run', i + 1, JSON.stringify(runs[i]));
    }
    const p99 = median(runs.map((r) => r.p99)) / 1000;
    out.lateness = { runs };
    lines.push(`| schedule lateness, 500 tasks over 10 s | p99 ${p99.toFixed(2)} ms (p50 ${(median(runs.map((r) => r.p50)) / 1000).toFixed(2)} ms) | Node timers p99 ${(median(runs.map((r) => r.nodeP99)) / 1000).toFixed(2)} ms | earliest ${(Math.min(...runs.map((r) => r.min)) / 1000).toFixed(2)} ms | never early: ${runs.every((r) => r.min >= 0)} |`);
  }
  if (ONLY.has('rate')) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await rateRun());
      console.error('rate run', i + 1, JSON.stringify(runs[i]));
    }
    const rate = median(runs.map((r) => r.rate));
    out.rate = { runs };
    lines.push(`| rate accuracy, 50/s queue, 600 tasks | ${rate.toFixed(2)}/s after the burst (${(100 * (rate / 50 - 1)).toFixed(2)}%) | burst ${median(runs.map((r) => r.burst))} | max_burst_size ${runs[0].expectedBurst} | |`);
  }
  if (ONLY.has('storm')) {
    const runs: Array<Awaited<ReturnType<typeof stormRun>>> = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await stormRun());
      console.error('storm run', i + 1, JSON.stringify(runs[i]));
    }
    out.storm = { runs };
    const d = median(runs.map((r) => r.deliveries));
    const m = (f: (r: any) => number) => median(runs.map(f));
    lines.push(`| retry storm, 2,000 tasks failing twice | ${d} deliveries in ${m((r) => r.stormSeconds).toFixed(2)} s, ${m((r) => r.leftInQueue)} left in queue, shortest gap ${Math.min(...runs.map((r) => r.minRatio)).toFixed(2)}× backoff | bare undici ${m((r) => r.bare).toFixed(0)} req/s; first round ${m((r) => r.firstRoundMs).toFixed(0)} ms = ${m((r) => r.firstRoundRate).toFixed(0)}/s (${m((r) => r.neededRate).toFixed(0)}/s needed) | delivered gaps: error p50 ${(100 * m((r) => r.gapErrorP50)).toFixed(1)}%, ${(100 * m((r) => r.within20)).toFixed(1)}% within 20%; retries late by p50 ${m((r) => r.retryLatenessP50Ms).toFixed(0)} ms | scheduled gaps (ETA − previous arrival): error p50 ${(100 * m((r) => r.scheduledErrorP50)).toFixed(1)}%, ${(100 * m((r) => r.scheduledWithin20)).toFixed(1)}% within 20% |`);
  }
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, 'results/dispatch.json'), JSON.stringify(out, null, 2));
  console.log('| benchmark | Tasklight | reference | ratio / check | |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const l of lines) console.log(l);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
