/**
 * UI benchmark (issue: the live UI, point 5). Tasklight runs in its own process (as `tasklight
 * serve`), the handler in another, the page in Debian's Chromium via Playwright.
 *
 *   1. A queue with 100,000 tasks: time from navigation to the queue view showing its first rows
 *      and the total; then scrolling (wheel and jumps across the whole list) while a
 *      PerformanceObserver records long tasks (> 50 ms).
 *   2. 2,000 tasks/s dispatching: the dispatch rate measured at the handler with no page open and
 *      with the queue view open (alternating runs), and input latency on the page (Event Timing:
 *      keystrokes into the search box and clicks, from input to next paint).
 *
 *   node --import tsx bench/ui.ts [--runs 5] [--tasks 100000] [--rate 2000]
 * Prints a JSON summary (medians over runs) and writes bench/results/ui.json.
 */
import { CloudTasksClient } from '@google-cloud/tasks';
import { credentials } from '@grpc/grpc-js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startChild } from './lib/children';

const here = __dirname;
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 5);
const TASKS = arg('tasks', 100_000);
const RATE = arg('rate', 2000);
const PARENT = 'projects/bench/locations/us-central1';
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function createMany(client: CloudTasksClient, queue: string, n: number, task: (i: number) => object, concurrency = 256) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        await client.createTask({ parent: queue, task: task(i) as any });
      }
    }),
  );
}

/** Installed before any page script: records long tasks and slow input events. */
const OBSERVE = `
  window.__bench = { longtasks: [], events: [] };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.longtasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__bench.events.push({ name: e.name, start: e.startTime, duration: e.duration }); })
    .observe({ type: 'event', durationThreshold: 16, buffered: true });
`;

async function openQueue(browser: Browser, url: string): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(OBSERVE);
  const page = await context.newPage();
  await page.goto(url);
  return { page, close: () => context.close() };
}

async function bigQueue(browser: Browser, httpUrl: string, client: CloudTasksClient) {
  const queue = `${PARENT}/queues/big`;
  await client.createQueue({ parent: PARENT, queue: { name: queue } });
  const t0 = performance.now();
  const base = Math.floor(Date.now() / 1000) + 3600;
  await createMany(client, queue, TASKS, (i) => ({
    scheduleTime: { seconds: base + (i % 86_400) },
    httpRequest: { url: `http://127.0.0.1:9/jobs/${i % 50}`, body: Buffer.from(JSON.stringify({ i, user: `user-${i}@example.com` })) },
  }));
  const loadS = (performance.now() - t0) / 1000;
  console.error(`bench/ui: ${TASKS} tasks created in ${loadS.toFixed(1)} s`);
  const url = `${httpUrl}/#/queue/${encodeURIComponent(queue)}`;
  const runs: Array<{ usableMs: number; scrollMaxLongTaskMs: number; scrollLongTasksOver50: number; loadMaxLongTaskMs: number }> = [];
  for (let r = 0; r < RUNS; r++) {
    const started = performance.now();
    const { page, close } = await openQueue(browser, url);
    await page.locator('.trow:not(.thead):not(.loading)').first().waitFor();
    await page.getByText(`${TASKS.toLocaleString('en-US')} tasks`).waitFor();
    const usableMs = performance.now() - started;
    await sleep(300);
    const loadTasks: Array<{ duration: number }> = await page.evaluate(() => (window as any).__bench.longtasks.splice(0));
    const list = page.locator('.vlist');
    await list.hover();
    // Wheel down through a stretch, jump across the list, wheel back up.
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, 1500);
      await sleep(16);
    }
    for (const f of [0.25, 0.5, 0.75, 0.999, 0.1, 0.6]) {
      await list.evaluate((el, frac) => (el.scrollTop = el.scrollHeight * frac), f);
      await sleep(120);
    }
    for (let i = 0; i < 40; i++) {
      await page.mouse.wheel(0, -1500);
      await sleep(16);
    }
    await sleep(500);
    // Rows must be there after the last jump.
    await page.locator('.trow:not(.thead):not(.loading)').first().waitFor();
    const scrollTasks: Array<{ duration: number }> = await page.evaluate(() => (window as any).__bench.longtasks.splice(0));
    runs.push({
      usableMs,
      scrollMaxLongTaskMs: Math.max(0, ...scrollTasks.map((t) => t.duration)),
      scrollLongTasksOver50: scrollTasks.filter((t) => t.duration > 50).length,
      loadMaxLongTaskMs: Math.max(0, ...loadTasks.map((t) => t.duration)),
    });
    await close();
  }
  await client.deleteQueue({ name: queue });
  return {
    tasks: TASKS,
    createSeconds: +loadS.toFixed(1),
    usableMs: +median(runs.map((r) => r.usableMs)).toFixed(0),
    scrollMaxLongTaskMs: +median(runs.map((r) => r.scrollMaxLongTaskMs)).toFixed(0),
    scrollLongTasksOver50: median(runs.map((r) => r.scrollLongTasksOver50)),
    loadMaxLongTaskMs: +median(runs.map((r) => r.loadMaxLongTaskMs)).toFixed(0),
    runs,
  };
}

async function dispatchRun(
  client: CloudTasksClient,
  handler: Awaited<ReturnType<typeof startChild>>,
  httpUrl: string,
  browser: Browser | null,
  run: number,
) {
  const queue = `${PARENT}/queues/fast-${run}-${browser ? 'ui' : 'bare'}`;
  await client.createQueue({ parent: PARENT, queue: { name: queue, rateLimits: { maxDispatchesPerSecond: RATE, maxConcurrentDispatches: 1000 } } });
  await client.pauseQueue({ name: queue });
  const warmS = 2;
  const windowS = 6;
  const n = Math.ceil(RATE * (warmS + windowS + 1.5));
  await createMany(client, queue, n, (i) => ({ httpRequest: { url: `http://127.0.0.1:${handler.ready.port}/t/${i}` } }));
  await handler.ask('reset');
  let open: Awaited<ReturnType<typeof openQueue>> | null = null;
  if (browser) {
    open = await openQueue(browser, `${httpUrl}/#/queue/${encodeURIComponent(queue)}`);
    await open.page.locator('.trow:not(.thead):not(.loading)').first().waitFor();
    await open.page.evaluate(() => ((window as any).__bench.events = []));
  }
  await client.resumeQueue({ name: queue });
  const resumedUs = (performance.timeOrigin + performance.now()) * 1000;
  let latencies: number[] = [];
  if (open) {
    const { page } = open;
    await sleep(warmS * 1000);
    // Input while it dispatches: type into the search box, clear it, switch the state filter.
    const search = page.getByLabel('Search tasks');
    const probes: number[] = [];
    const deadline = performance.now() + windowS * 1000 - 500;
    while (performance.now() < deadline) {
      // Time from the keystroke to the next frame, measured in the page.
      probes.push(
        await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              const input = document.querySelector<HTMLInputElement>('input[type=search]')!;
              const t0 = performance.now();
              input.focus();
              input.value = input.value.length > 6 ? '' : input.value + 'x';
              input.dispatchEvent(new Event('input', { bubbles: true }));
              requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
            }),
        ),
      );
      await search.press('Backspace');
      await sleep(150);
    }
    const events: Array<{ duration: number }> = await page.evaluate(() => (window as any).__bench.events);
    latencies = [...probes, ...events.map((e) => e.duration)];
  } else {
    await sleep((warmS + windowS) * 1000);
  }
  const stats = await handler.ask('stats');
  const from = resumedUs + warmS * 1e6;
  const to = from + windowS * 1e6;
  const inWindow = (stats.arrivals as Array<[string, number, number]>).filter(([, , at]) => at >= from && at < to).length;
  await open?.close();
  await client.purgeQueue({ name: queue });
  await client.deleteQueue({ name: queue });
  return { rate: inWindow / windowS, latencies };
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tasklight-bench-ui-'));
  const server = await startChild(join(here, 'lib/tasklight-server.ts'), [dataDir, JSON.stringify({ liftLimits: true })]);
  const handler = await startChild(join(here, 'lib/recording-handler.ts'), ['ok']);
  const httpUrl = `http://127.0.0.1:${server.ready.httpPort}`;
  const client = new CloudTasksClient({ apiEndpoint: '127.0.0.1', port: server.ready.grpcPort, sslCreds: credentials.createInsecure() } as any);
  const browser = await chromium.launch({
    executablePath: process.env.TASKLIGHT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const big = await bigQueue(browser, httpUrl, client);
    console.error('bench/ui: big queue', JSON.stringify({ ...big, runs: undefined }));
    const bare: number[] = [];
    const withUi: number[] = [];
    const latencies: number[] = [];
    const dispatchRuns = Math.max(3, Math.ceil(RUNS / 2));
    for (let r = 0; r < dispatchRuns; r++) {
      bare.push((await dispatchRun(client, handler, httpUrl, null, r)).rate);
      const ui = await dispatchRun(client, handler, httpUrl, browser, r);
      withUi.push(ui.rate);
      latencies.push(...ui.latencies);
      console.error(`bench/ui: dispatch run ${r + 1}: ${bare[r].toFixed(0)}/s without the page, ${withUi[r].toFixed(0)}/s with it`);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const result = {
      date: new Date().toISOString(),
      runs: RUNS,
      bigQueue: big,
      dispatch: {
        targetRate: RATE,
        withoutPage: +median(bare).toFixed(0),
        withPage: +median(withUi).toFixed(0),
        ratio: +(median(withUi) / median(bare)).toFixed(3),
        runs: bare.map((b, i) => ({ withoutPage: +b.toFixed(0), withPage: +withUi[i].toFixed(0) })),
        inputLatencyMs: {
          samples: sorted.length,
          median: +median(sorted).toFixed(1),
          p95: +(sorted[Math.floor(sorted.length * 0.95)] ?? NaN).toFixed(1),
          max: +(sorted[sorted.length - 1] ?? NaN).toFixed(1),
        },
      },
    };
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results/ui.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify({ ...result, bigQueue: { ...big, runs: undefined } }, null, 2));
  } finally {
    await browser.close();
    await client.close();
    await server.stop();
    await handler.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
