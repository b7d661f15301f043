/**
 * End-to-end harness: `tasklight serve`'s web UI (startServer in-process, on free ports, serving
 * the built renderer) driven by Playwright in Debian's Chromium. Never downloads a browser.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../../src/main/server';
import type { Clock } from '../../src/main/core/clock';
import { makeClient, type V2Client } from '../helpers/tasklight';

export const ROOT = resolve(__dirname, '..', '..');
export const RENDERER_DIR = join(ROOT, 'out/renderer');
export const SHOTS_DIR = join(ROOT, 'test-results/e2e');
export const CHROMIUM = process.env.TASKLIGHT_CHROMIUM ?? '/usr/bin/chromium';
export const PARENT = 'projects/e2e-proj/locations/us-central1';

/** The newest modification time of any file under `dir`, in ms (0 when there is none). */
function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Builds the app if out/renderer is missing or older than the renderer's sources (CI builds first;
 * a fresh clone may not have, and a bundle left from an earlier build would test old code).
 */
export function ensureBuilt(): void {
  const index = join(RENDERER_DIR, 'index.html');
  const sources = ['src/renderer', 'src/shared'].map((dir) => newestMtimeMs(join(ROOT, dir)));
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources)) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'],
  });
}

export interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A handler that records every request. Paths: /ok → 200, /fail → 503, anything else → 200. */
export class Handler {
  readonly received: Received[] = [];
  private server!: http.Server;
  port = 0;
  /** Override per path: return the status to answer. */
  statusFor: (path: string) => number = (path) => (path.startsWith('/fail') ? 503 : 200);

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() });
        const status = this.statusFor(req.url ?? '/');
        const body = JSON.stringify({ ok: status < 300, path: req.url });
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  count(pathPrefix: string): number {
    return this.received.filter((r) => r.url.startsWith(pathPrefix)).length;
  }

  async waitFor(pathPrefix: string, n = 1, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.count(pathPrefix) < n) {
      if (Date.now() > until) throw new Error(`handler: ${pathPrefix} received ${this.count(pathPrefix)} of ${n} requests`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface Ui {
  server: RunningServer;
  browser: Browser;
  page: Page;
  client: V2Client;
  handler: Handler;
  /** The UI contract over HTTP, for setup and assertions. */
  call(command: string, args?: object, method?: 'GET' | 'POST'): Promise<any>;
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startUi(opts: { clock?: Clock; browser?: Browser } = {}): Promise<Ui> {
  ensureBuilt();
  const handler = await new Handler().start();
  const server = await startServer({
    inMemory: true,
    grpcPort: 0,
    httpPort: 0,
    host: '127.0.0.1',
    rendererDir: RENDERER_DIR,
    clock: opts.clock,
  });
  const browser = opts.browser ?? (await launchBrowser());
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const client = makeClient('grpc', server);
  mkdirSync(SHOTS_DIR, { recursive: true });
  return {
    server,
    browser,
    page,
    client,
    handler,
    async call(command, args = {}, method) {
      const { ROUTES } = await import('../../src/shared/contract');
      const route = (ROUTES as any)[command];
      const m = method ?? route.method;
      const url = new URL(server.httpUrl + route.path);
      if (m === 'GET') for (const [k, v] of Object.entries(args)) url.searchParams.set(k, String(v));
      const res = await fetch(url, m === 'GET' ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args) });
      const body = await res.json();
      if (!res.ok) throw new Error(`${command}: ${JSON.stringify(body)}`);
      return body;
    },
    async shot(name) {
      const file = join(SHOTS_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      return file;
    },
    async close() {
      if (errors.length) console.error('page errors:', errors);
      await context.close();
      if (!opts.browser) await browser.close();
      await client.close();
      await server.close();
      await handler.close();
    },
  };
}

export function queueName(id: string): string {
  return `${PARENT}/queues/${id}`;
}

export function queueHref(ui: Ui, id: string, tab = ''): string {
  return `${ui.server.httpUrl}/#/queue/${encodeURIComponent(queueName(id))}${tab ? `/${tab}` : ''}`;
}
