/**
 * CreateTask throughput with the official client.
 *
 *   node --expose-gc --import tsx bench/create.ts [--runs 3] [--tasks 20000] [--concurrency 64] [--skip-scale]
 *
 * Each run measures, back to back on the same machine, the official @google-cloud/tasks client
 * against (a) a bare server that answers every CreateTask with a canned Task and (b) Tasklight on
 * its durable store with the queue paused, over gRPC and over REST. Medians of the runs are
 * reported, and Tasklight's rate as a share of the bare ceiling. Then: the rate with 100,000
 * tasks already stored, the server's memory growth per stored task, and how long a store of
 * 1,000,000 tasks takes to be open and serving.
 *
 * "client busy" is the CPU the client process used over the wall time of the run: below ~100% the
 * client waited for answers. BENCH_IN_MEMORY=1 runs Tasklight without a disk (diagnosis only).
 */
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { PassThroughClient } from 'google-auth-library';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SystemClock } from '../src/main/core/clock';
import { Engine } from '../src/main/core/engine';
import { resolveSettings } from '../src/main/core/settings';
import { startChild, type Child } from './lib/children';

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    tasks: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    'skip-scale': { type: 'boolean', default: false },
    'skip-throughput': { type: 'boolean', default: false },
    'million': { type: 'string', default: '1000000' },
    transports: { type: 'string', default: 'grpc,rest' },
  },
});
const RUNS = Number(opts.runs);
const TASKS = Number(opts.tasks);
const CONCURRENCY = Number(opts.concurrency);
const WARMUP = 1000;
const TRANSPORTS = opts.transports!.split(',') as Transport[];
const LOCATION = 'projects/bench/locations/us-central1';
const QUEUE = `${LOCATION}/queues/bench`;
const here = __dirname;

type Transport = 'grpc' | 'rest';

function client(transport: Transport, ports: { grpcPort: number; httpPort: number }): CloudTasksClient {
  return transport === 'grpc'
    ? new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: ports.grpcPort, sslCreds: credentials.createInsecure() })
    : new CloudTasksClient({
        fallback: true,
        apiEndpoint: '127.0.0.1',
        port: ports.httpPort,
        protocol: 'http',
        authClient: new PassThroughClient() as any,
      } as any);
}

const BODY = Buffer.from(JSON.stringify({ userId: 42, template: 'welcome', padding: 'x'.repeat(400) }));

function taskRequest() {
  return {
    parent: QUEUE,
    task: {
      httpRequest: {
        url: 'http://127.0.0.1:8080/send-email',
        httpMethod: 'POST' as const,
        headers: { 'Content-Type': 'application/json' },
        body: BODY,
      },
    },
  };
}

interface LoadResult {
  rate: number;
  p50: number;
  p99: number;
  /** CPU the server's process used per call (all its threads), µs. */
  serverCpuUs?: number;
  /** CPU this (the client's) process used per call, µs, and the share of one core it kept busy. */
  clientCpuUs?: number;
  clientBusy?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(c: CloudTasksClient, total: number, concurrency: number): Promise<LoadResult> {
  const latencies: number[] = new Array(total);
  let issued = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  async function worker() {
    while (issued < total) {
      const i = issued++;
      const t0 = performance.now();
      await c.createTask(taskRequest());
      latencies[i] = performance.now() - t0;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  return {
    rate: total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    clientCpuUs: (cpu.user + cpu.system) / total,
    clientBusy: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

async function measure(transport: Transport, ports: any, total = TASKS, server?: Child): Promise<LoadResult> {
  const c = client(transport, ports);
  try {
    await load(c, WARMUP, CONCURRENCY);
    const before = await server?.ask('cpu');
    const result = await load(c, total, CONCURRENCY);
    const after = await server?.ask('cpu');
    if (before && after) result.serverCpuUs = (after.user + after.system - before.user - before.system) / total;
    return result;
  } finally {
    await c.close();
  }
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-bench-'));
}

async function startTasklight(dataDir: string): Promise<Child> {
  // BENCH_PROFILE=DIR writes a CPU profile of the Tasklight process there.
  const flags = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  return startChild(path.join(here, 'lib/tasklight-server.ts'), [dataDir], ['--expose-gc', ...flags]);
}

async function pausedQueue(ports: any): Promise<void> {
  const c = client('grpc', ports);
  try {
    await c.createQueue({ parent: LOCATION, queue: { name: QUEUE } }).catch((e) => {
      if (e.code !== 6) throw e;
    });
    await c.pauseQueue({ name: QUEUE });
  } finally {
    await c.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function throughput() {
  const rows: Record<string, LoadResult[]> = Object.fromEntries(
    TRANSPORTS.flatMap((tr) => [[`bare ${tr}`, []], [`tasklight ${tr}`, []]]),
  );
  const bare = await startChild(path.join(here, 'lib/bare-server.ts'));
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const transport of TRANSPORTS) {
        rows[`bare ${transport}`].push(await measure(transport, bare.ready, TASKS, bare));
        const dir = tempDir();
        const tl = await startTasklight(dir);
        try {
          await pausedQueue(tl.ready);
          rows[`tasklight ${transport}`].push(await measure(transport, tl.ready, TASKS, tl));
        } finally {
          await tl.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        }
        const last = (k: string) => rows[k][rows[k].length - 1].rate.toFixed(0);
        const cl = (k: string) => {
          const r = rows[k][rows[k].length - 1];
          return `client ${r.clientCpuUs!.toFixed(0)} µs/call, ${(r.clientBusy! * 100).toFixed(0)}% busy`;
        };
        console.error(
          `run ${run} ${transport}: bare ${last(`bare ${transport}`)}/s (${cl(`bare ${transport}`)}), tasklight ${last(`tasklight ${transport}`)}/s (${cl(`tasklight ${transport}`)})`,
        );
      }
    }
  } finally {
    await bare.stop();
  }
  const summary = Object.fromEntries(
    Object.entries(rows).map(([k, v]) => [
      k,
      { rate: median(v.map((r) => r.rate)), p50: median(v.map((r) => r.p50)), p99: median(v.map((r) => r.p99)), serverCpuUs: median(v.map((r) => r.serverCpuUs ?? NaN)), clientBusy: median(v.map((r) => r.clientBusy ?? NaN)), runs: v.map((r) => Math.round(r.rate)) },
    ]),
  );
  return summary;
}

/** Fills a store through the engine directly (group-committed), as fast as SQLite allows. */
async function prefill(dir: string, count: number): Promise<void> {
  const engine = Engine.open(dir, new SystemClock(), resolveSettings());
  try {
    await engine.createQueue(LOCATION, { name: QUEUE });
  } catch {
    /* exists */
  }
  await engine.setQueueState(QUEUE, 'PAUSED');
  const batch = 5000;
  for (let done = 0; done < count; done += batch) {
    const n = Math.min(batch, count - done);
    await Promise.all(Array.from({ length: n }, () => engine.createTask(QUEUE, taskRequest().task, 'BASIC')));
  }
  engine.close();
}

async function scale(emptyRateFromThroughput?: number) {
  // Memory and rate with 100,000 stored tasks, filled through the API.
  const dir = tempDir();
  const tl = await startTasklight(dir);
  let result: any;
  try {
    await pausedQueue(tl.ready);
    // The empty-store rate on this same server, like for like with the rate at 100,000 below.
    void emptyRateFromThroughput;
    const emptyRate = (await measure('grpc', tl.ready)).rate;
    const before = await tl.ask('mem');
    const c = client('grpc', tl.ready);
    await load(c, 100_000, CONCURRENCY);
    await c.close();
    const after = await tl.ask('mem');
    const rates: number[] = [];
    for (let i = 0; i < RUNS; i++) rates.push((await measure('grpc', tl.ready)).rate);
    result = {
      rssBefore: before.rss,
      rssAfter: after.rss,
      heapBefore: before.heapUsed,
      heapAfter: after.heapUsed,
      rssPerTask: (after.rss - before.rss) / 100_000,
      heapPerTask: (after.heapUsed - before.heapUsed) / 100_000,
      rateAt100k: median(rates),
      rateEmpty: emptyRate,
      rateAt100kShare: median(rates) / emptyRate,
    };
  } finally {
    await tl.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // A store of 1,000,000 tasks: time from process start to the first answered RPCs.
  const million = Number(opts.million);
  const big = tempDir();
  const t0 = performance.now();
  await prefill(big, million);
  const fillSeconds = (performance.now() - t0) / 1000;
  const cli = fs.existsSync(path.join(here, '../out/main/cli.js'));
  const opens: number[] = [];
  for (let i = 0; i < RUNS; i++) opens.push(await timeToServe(big, cli));
  const emptyDir = tempDir();
  const emptyOpens: number[] = [];
  for (let i = 0; i < RUNS; i++) emptyOpens.push(await timeToServe(emptyDir, cli));
  fs.rmSync(big, { recursive: true, force: true });
  fs.rmSync(emptyDir, { recursive: true, force: true });
  return { ...result, million, fillSeconds, openMs: median(opens), openEmptyMs: median(emptyOpens), openedWith: cli ? 'node out/main/cli.js' : 'tsx src/main/cli/main.ts' };
}

/** Spawns `tasklight serve` and polls ListTasks until it answers; returns milliseconds since spawn. */
async function timeToServe(dataDir: string, built: boolean): Promise<number> {
  const args = built
    ? [path.join(here, '../out/main/cli.js'), 'serve']
    : ['--import', 'tsx', path.join(here, '../src/main/cli/main.ts'), 'serve'];
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...args, '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise<{ grpcPort: number }>((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (d) => {
      buf += d;
      const m = /gRPC [^\s,]*:(\d+)/.exec(buf);
      if (m) resolve({ grpcPort: Number(m[1]) });
    });
    proc.once('exit', (code) => reject(new Error(`serve exited ${code}: ${buf}`)));
  });
  const c = client('grpc', { grpcPort: ports.grpcPort, httpPort: 0 });
  await c.getQueue({ name: QUEUE }).catch(() => undefined);
  await c.listTasks({ parent: QUEUE, pageSize: 10 }, { autoPaginate: false }).catch(() => undefined);
  const ms = performance.now() - t0;
  await c.close();
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
  return ms;
}

async function main() {
  console.error(`bench/create: ${RUNS} runs × ${TASKS} CreateTask calls, concurrency ${CONCURRENCY}, ${os.cpus().length} cores`);
  const out: any = { date: new Date().toISOString(), runs: RUNS, tasks: TASKS, concurrency: CONCURRENCY };
  const t = opts['skip-throughput'] ? undefined : await throughput();
  if (t) {
    out.throughput = t;
    out.share = Object.fromEntries(TRANSPORTS.map((tr) => [tr, t[`tasklight ${tr}`].rate / t[`bare ${tr}`].rate]));
  }
  const f = (n: number) => n.toFixed(0);
  const ms = (n: number) => n.toFixed(1);
  const pct = (n: number) => `${(100 * n).toFixed(0)}%`;
  if (t) console.log('| server | transport | CreateTask/s (median) | p50 ms | p99 ms | server CPU µs/call | client busy | share of bare |');
  if (t) console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const transport of t ? TRANSPORTS : []) {
    const b = t![`bare ${transport}`];
    const s = t![`tasklight ${transport}`];
    console.log(`| bare ${transport === 'grpc' ? 'grpc-js' : 'node:http'} | ${transport} | ${f(b.rate)} | ${ms(b.p50)} | ${ms(b.p99)} | ${f(b.serverCpuUs)} | ${pct(b.clientBusy)} | 100% |`);
    console.log(`| Tasklight (durable) | ${transport} | ${f(s.rate)} | ${ms(s.p50)} | ${ms(s.p99)} | ${f(s.serverCpuUs)} | ${pct(s.clientBusy)} | ${pct(out.share[transport])} |`);
  }
  for (const transport of t ? TRANSPORTS : []) {
    const runShares = t![`tasklight ${transport}`].runs.map((r: number, i: number) => r / t![`bare ${transport}`].runs[i]);
    out.runShares = { ...out.runShares, [transport]: runShares };
    console.log(`- ${transport}: share of the same run's bare rate, per run: ${runShares.map(pct).join(', ')}`);
  }
  if (!opts['skip-scale']) out.scale = await scale(t?.['tasklight grpc'].rate);
  fs.mkdirSync(path.join(here, 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, 'results/create.json'), JSON.stringify(out, null, 2));

  if (out.scale) {
    const s = out.scale;
    console.log('');
    console.log(`- rate with 100,000 stored tasks: ${f(s.rateAt100k)}/s = ${(100 * s.rateAt100kShare).toFixed(0)}% of the empty-store rate (${f(s.rateEmpty)}/s, same server)`);
    console.log(`- memory growth over 100,000 stored tasks: RSS ${(s.rssPerTask).toFixed(0)} B/task, heap ${(s.heapPerTask).toFixed(0)} B/task`);
    console.log(`- ${s.million.toLocaleString('en')} tasks: open and serving ${f(s.openMs)} ms after spawn (empty store: ${f(s.openEmptyMs)} ms; ${s.openedWith})`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
