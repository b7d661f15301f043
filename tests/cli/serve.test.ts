/**
 * `tasklight serve` end to end: the real CLI in a child process (run from source with tsx, so the
 * test does not depend on a fresh build), talking to it over its ports.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { SystemClock } from '../../src/main/core/clock';
import { Engine } from '../../src/main/core/engine';
import { resolveSettings } from '../../src/main/core/settings';
import { holdingHandler } from '../helpers/holding-handler';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
const READY_LINE = /^Tasklight ready: gRPC (\S+):(\d+), HTTP (http:\/\/\S+) \((.+)\)$/m;
const TIMEOUT_MS = 30_000;

interface Cli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the parsed ready line; rejects if the process exits first. */
  ready: Promise<{ grpcHost: string; grpcPort: number; httpUrl: string; storage: string }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];

afterEach(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
});
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** The environment without any TASKLIGHT_* from the developer's shell, and a throwaway config home. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TASKLIGHT_')) env[key] = value;
  return { ...env, XDG_CONFIG_HOME: tempDir(), ...extra };
}

function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<{ grpcHost: string; grpcPort: number; httpUrl: string; storage: string }>((resolve, reject) => {
    const check = () => {
      const match = READY_LINE.exec(out);
      if (match) resolve({ grpcHost: match[1]!, grpcPort: Number(match[2]), httpUrl: match[3]!, storage: match[4]! });
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) =>
      reject(new Error(`tasklight exited (code ${code}, signal ${signal}) before it was ready; stderr: ${err}`)),
    );
  });
  ready.catch(() => {}); // observed by the tests that expect readiness
  return { child, stdout: () => out, stderr: () => err, ready, exited };
}

/** A port held open by this test process, so the CLI finds it taken. */
async function occupyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

describe('tasklight serve', { timeout: TIMEOUT_MS * 4 }, () => {
  it('prints one ready line with the ports it picked, answers /healthz and exits 0 on SIGTERM', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--in-memory']);
    const ready = await cli.ready;

    assert.equal(ready.grpcHost, '127.0.0.1');
    assert.ok(ready.grpcPort > 0, 'gRPC port 0 was replaced by the actual port');
    const httpUrl = new URL(ready.httpUrl);
    assert.equal(httpUrl.hostname, '127.0.0.1');
    assert.ok(Number(httpUrl.port) > 0, 'HTTP port 0 was replaced by the actual port');
    assert.notEqual(Number(httpUrl.port), ready.grpcPort);
    assert.equal(ready.storage, 'in-memory');
    assert.equal(cli.stdout().match(/^Tasklight ready:/gm)?.length, 1, 'exactly one ready line');
    assert.ok(cli.stdout().includes(`export CLOUD_TASKS_EMULATOR_HOST=${httpUrl.host}`), cli.stdout());

    const health = await fetch(new URL('/healthz', httpUrl));
    assert.equal(health.status, 200);
    await health.arrayBuffer();

    // The gRPC port accepts connections.
    const socket = net.connect(ready.grpcPort, '127.0.0.1');
    await once(socket, 'connect');
    socket.destroy();

    cli.child.kill('SIGTERM');
    const { code, signal } = await cli.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, `stderr: ${cli.stderr()}`);
  });

  it('on --host 0.0.0.0 names addresses a client can use, and serves what it names', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--host', '0.0.0.0', '--grpc-port', '0', '--http-port', '0', '--in-memory']);
    const ready = await cli.ready;
    assert.match(cli.stderr(), /listening on 0\.0\.0\.0/, 'it still warns that every interface can reach it');
    assert.equal(ready.grpcHost, '127.0.0.1');
    const httpUrl = new URL(ready.httpUrl);
    assert.equal(httpUrl.hostname, '127.0.0.1');
    assert.ok(cli.stdout().includes(`web UI:         http://127.0.0.1:${httpUrl.port}/`), cli.stdout());
    assert.ok(cli.stdout().includes(`export CLOUD_TASKS_EMULATOR_HOST=127.0.0.1:${httpUrl.port}`), cli.stdout());
    assert.ok(cli.stdout().includes(`apiEndpoint: '127.0.0.1', port: ${ready.grpcPort}`), cli.stdout());

    // node:http, not fetch: fetch does not send a Host header of the caller's choosing.
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: Number(httpUrl.port), path: '/healthz', headers: { Host: host }, agent: false }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
          .on('error', reject);
      });
    for (const host of [`127.0.0.1:${httpUrl.port}`, `0.0.0.0:${httpUrl.port}`]) {
      assert.equal(await statusFor(host), 200, `Host ${host} is served`);
    }
    assert.equal(await statusFor(`evil.example:${httpUrl.port}`), 403, 'other names are still refused');
    const info = (await (await fetch(new URL('/api/info', httpUrl))).json()) as { httpUrl: string; grpcEndpoint: string; oidc: { issuer: string } };
    assert.equal(info.httpUrl, `http://127.0.0.1:${httpUrl.port}`, "the UI's Connect a client page gets a usable address");
    assert.equal(info.grpcEndpoint, `127.0.0.1:${ready.grpcPort}`);
    assert.equal(info.oidc.issuer, `http://127.0.0.1:${httpUrl.port}`);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('shuts down cleanly with exit code 0 on SIGINT (Ctrl+C)', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--in-memory']);
    await cli.ready;
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  it('treats one signal delivered twice at once (terminal + npm) as a clean shutdown', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--in-memory']);
    await cli.ready;
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  it('takes its settings from TASKLIGHT_* variables and names the data dir in the ready line', { timeout: TIMEOUT_MS }, async () => {
    const dataDir = path.join(tempDir(), 'data');
    const cli = runCli(
      ['serve'],
      cleanEnv({ TASKLIGHT_GRPC_PORT: '0', TASKLIGHT_HTTP_PORT: '0', TASKLIGHT_DATA_DIR: dataDir }),
    );
    const ready = await cli.ready;
    assert.equal(ready.storage, `data: ${dataDir}`);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0, `stderr: ${cli.stderr()}`);
  });

  it('exits 1 with one line naming the port and --grpc-port when the gRPC port is taken', { timeout: TIMEOUT_MS }, async () => {
    const taken = await occupyPort();
    try {
      const cli = runCli(['serve', '--grpc-port', String(taken.port), '--http-port', '0', '--in-memory']);
      const { code } = await cli.exited;
      assert.equal(code, 1);
      assert.deepEqual(lines(cli.stderr()), [`tasklight: port ${taken.port} is already in use (--grpc-port)`]);
      assert.doesNotMatch(cli.stdout(), /Tasklight ready/);
    } finally {
      await taken.close();
    }
  });

  it('exits 1 naming TASKLIGHT_HTTP_PORT when the HTTP port set by that variable is taken', { timeout: TIMEOUT_MS }, async () => {
    const taken = await occupyPort();
    try {
      const cli = runCli(
        ['serve', '--grpc-port', '0', '--in-memory'],
        cleanEnv({ TASKLIGHT_HTTP_PORT: String(taken.port) }),
      );
      const { code } = await cli.exited;
      assert.equal(code, 1);
      assert.deepEqual(lines(cli.stderr()), [`tasklight: port ${taken.port} is already in use (TASKLIGHT_HTTP_PORT)`]);
    } finally {
      await taken.close();
    }
  });

  it('exits 2 with one line naming the flag, and starts nothing, on a bad port value', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--grpc-port', 'abc', '--http-port', '0', '--in-memory']);
    const { code } = await cli.exited;
    assert.equal(code, 2);
    const errorLines = lines(cli.stderr());
    assert.equal(errorLines.length, 1, cli.stderr());
    assert.match(errorLines[0]!, /^tasklight: --grpc-port /);
    assert.equal(cli.stdout(), '');
  });

  it('exits 2 on an unknown flag', { timeout: TIMEOUT_MS }, async () => {
    const cli = runCli(['serve', '--no-such-flag']);
    const { code } = await cli.exited;
    assert.equal(code, 2);
    assert.deepEqual(lines(cli.stderr()), ['tasklight: unknown option --no-such-flag for serve (see tasklight serve --help)']);
  });

  it('prints help and the version with exit code 0', { timeout: TIMEOUT_MS }, async () => {
    const help = runCli(['serve', '--help']);
    assert.equal((await help.exited).code, 0);
    assert.match(help.stdout(), /Usage: tasklight serve/);

    const version = runCli(['--version']);
    assert.equal((await version.exited).code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout().trim(), pkg.version);
  });
});

/** Resolves with the first stdout line `match` accepts, as soon as it is printed; rejects if the CLI exits first. */
function lineOf(cli: Cli, match: (line: string) => boolean, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = cli.stdout().split('\n').find((line, i, all) => i < all.length - 1 && match(line));
      if (found !== undefined) {
        cli.child.stdout!.off('data', check);
        resolve(found);
      }
    };
    cli.child.stdout!.on('data', check);
    check();
    void cli.exited.then(() => reject(new Error(`tasklight exited before ${what}; stdout: ${cli.stdout()} stderr: ${cli.stderr()}`)));
  });
}

describe('tasklight serve --log-format json', { timeout: TIMEOUT_MS * 2 }, () => {
  it('prints only JSON lines on stdout, the ready line included, and that line names the endpoints', { timeout: TIMEOUT_MS }, async () => {
    const handler = http.createServer((_req, res) => res.writeHead(204).end());
    handler.listen(0, '127.0.0.1');
    await once(handler, 'listening');
    const target = `http://127.0.0.1:${(handler.address() as net.AddressInfo).port}/work`;
    try {
      const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--in-memory', '--log-format', 'json']);
      const isJson = (line: string) => {
        try {
          return typeof JSON.parse(line) === 'object';
        } catch {
          return false;
        }
      };
      const first = await lineOf(cli, () => true, 'its first line');
      assert.ok(isJson(first), `the first line on stdout is not JSON: ${first}`);
      const readyLine = JSON.parse(first);
      assert.equal(readyLine.message, 'Tasklight ready');
      assert.equal(readyLine.level, 'info');
      assert.equal(readyLine.subsystem, 'server');
      assert.ok(!Number.isNaN(Date.parse(readyLine.time)), `time: ${readyLine.time}`);
      assert.match(readyLine.grpcEndpoint, /^127\.0\.0\.1:\d+$/);
      assert.ok(readyLine.grpcPort > 0 && readyLine.httpPort > 0 && readyLine.grpcPort !== readyLine.httpPort, JSON.stringify(readyLine));
      assert.equal(readyLine.grpcEndpoint, `127.0.0.1:${readyLine.grpcPort}`);
      assert.equal(readyLine.httpUrl, `http://127.0.0.1:${readyLine.httpPort}`);
      assert.equal(readyLine.webUi, `${readyLine.httpUrl}/`);
      assert.equal(readyLine.storage, 'in-memory');
      assert.equal(readyLine.dataDir, null);
      assert.deepEqual(readyLine.env, {
        TASKLIGHT_GRPC_ENDPOINT: readyLine.grpcEndpoint,
        TASKLIGHT_HTTP_URL: readyLine.httpUrl,
        CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${readyLine.httpPort}`,
      });
      assert.equal((await fetch(`${readyLine.httpUrl}/healthz`)).status, 200);

      // One dispatch, so its attempt record is among the lines checked.
      const parent = 'projects/json-log/locations/us-central1';
      const post = (p: string, body: unknown) => fetch(`${readyLine.httpUrl}${p}`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal((await post(`/v2/${parent}/queues`, { name: `${parent}/queues/q` })).status, 200);
      assert.equal((await post(`/v2/${parent}/queues/q/tasks`, { task: { httpRequest: { url: target } } })).status, 200);
      const attempt = JSON.parse(await lineOf(cli, (line) => isJson(line) && JSON.parse(line).subsystem === 'dispatch', 'the attempt record'));
      assert.equal(attempt.url, target);

      cli.child.kill('SIGTERM');
      assert.equal((await cli.exited).code, 0, `stderr: ${cli.stderr()}`);
      const stdoutLines = lines(cli.stdout());
      assert.ok(stdoutLines.length >= 2, cli.stdout());
      for (const line of stdoutLines) assert.ok(isJson(line), `not a JSON line on stdout: ${line}`);
      assert.equal(stdoutLines.filter((line) => JSON.parse(line).message === 'Tasklight ready').length, 1, 'exactly one ready line');
    } finally {
      handler.close();
    }
  });
});

/** Resolves once stderr matches; rejects if the CLI exits first. */
function stderrMatching(cli: Cli, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(cli.stderr())) return;
      cli.child.stderr!.off('data', check);
      resolve();
    };
    cli.child.stderr!.on('data', check);
    check();
    void cli.exited.then(() => reject(new Error(`tasklight exited before stderr matched ${pattern}; stderr: ${cli.stderr()}`)));
  });
}

async function taskInFlight(httpUrl: string, target: string): Promise<void> {
  const parent = 'projects/stop/locations/us-central1';
  const post = (p: string, body: unknown) => fetch(`${httpUrl}${p}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post(`/v2/${parent}/queues`, { name: `${parent}/queues/q` })).status, 200);
  assert.equal((await post(`/v2/${parent}/queues/q/tasks`, { task: { httpRequest: { url: target } } })).status, 200);
}

describe('tasklight serve stopping with an attempt in flight', { timeout: TIMEOUT_MS * 2 }, () => {
  it('on SIGTERM claims nothing more, waits for the attempt in flight, records its answer, and exits 0', { timeout: TIMEOUT_MS }, async () => {
    const handler = await holdingHandler();
    const dataDir = path.join(tempDir(), 'data');
    try {
      const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--data-dir', dataDir]);
      const ready = await cli.ready;
      await taskInFlight(ready.httpUrl, handler.url);
      const response = await handler.request();

      cli.child.kill('SIGTERM');
      await stderrMatching(cli, /tasklight: stopping: waiting up to \d+ s for 1 attempt in flight/);
      response.writeHead(204).end();
      assert.deepEqual(await cli.exited, { code: 0, signal: null }, `stderr: ${cli.stderr()}`);

      const engine = Engine.open(dataDir, new SystemClock(), resolveSettings(), { startDispatching: false });
      try {
        assert.deepEqual(engine.attempts().map((a) => [a.outcome, a.status]), [['success', 204]], 'the answer that came within the grace is recorded');
      } finally {
        engine.close();
      }
    } finally {
      handler.close();
    }
  });

  it('a second SIGINT during the grace exits at once with 130', { timeout: TIMEOUT_MS }, async () => {
    const handler = await holdingHandler();
    try {
      const cli = runCli(['serve', '--grpc-port', '0', '--http-port', '0', '--in-memory']);
      const ready = await cli.ready;
      await taskInFlight(ready.httpUrl, handler.url);
      await handler.request();

      cli.child.kill('SIGINT');
      await stderrMatching(cli, /tasklight: stopping: waiting up to \d+ s for 1 attempt in flight/);
      // A copy of the first signal (terminal + npm) within moments is not a second one: repeat
      // Ctrl+C until the CLI takes one as deliberate.
      const again = setInterval(() => cli.child.kill('SIGINT'), 100);
      try {
        assert.deepEqual(await cli.exited, { code: 130, signal: null }, `stderr: ${cli.stderr()}`);
      } finally {
        clearInterval(again);
      }
      assert.match(cli.stderr(), /tasklight: SIGINT again, exiting without a clean shutdown/);
    } finally {
      handler.close();
    }
  });
});
