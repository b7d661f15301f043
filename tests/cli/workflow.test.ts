/**
 * The CLI workflow end to end, in child processes run from source: env, healthcheck, serve --exec
 * (exit codes, environment), --config, --log-format json, --import/--export-on-exit,
 * --allowed-host; bad configs exit 1 and bad arguments exit 2 with one line and no port bound.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, type RunningServer } from '../../src/main/server';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
/** tsx by absolute URL: the commands run in a temp dir, where `--import tsx` would not resolve. */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-workflow-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TASKLIGHT_') && k !== 'CLOUD_TASKS_EMULATOR_HOST') env[k] = v;
  return { ...env, XDG_CONFIG_HOME: dir, ...extra };
}

function run(args: string[], env = cleanEnv(), timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tasklight ${args.join(' ')} did not exit; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function portIsFree(port: number): Promise<boolean> {
  const srv = net.createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A node one-liner for --exec, written to a file to keep shell quoting out of the way. */
function script(name: string, code: string): string {
  write(name, code);
  return `"${process.execPath}" ${name}`;
}

describe('tasklight env', () => {
  it('prints the export lines for the given host and ports', async () => {
    const { code, stdout, stderr } = await run(['env', '--grpc-port', '9001'], cleanEnv({ TASKLIGHT_HTTP_PORT: '9002', TASKLIGHT_HOST: '0.0.0.0' }));
    assert.equal(code, 0, stderr);
    assert.equal(
      stdout,
      'export TASKLIGHT_GRPC_ENDPOINT=127.0.0.1:9001\nexport TASKLIGHT_HTTP_URL=http://127.0.0.1:9002\nexport CLOUD_TASKS_EMULATOR_HOST=127.0.0.1:9002\n',
    );
  });
});

describe('tasklight healthcheck', () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null });
  });
  after(() => server.close());

  it('exits 0 when /healthz answers', async () => {
    const { code, stdout } = await run(['healthcheck', '--http-port', String(server.httpPort)]);
    assert.equal(code, 0);
    assert.match(stdout, /^ok: http:\/\/127\.0\.0\.1:\d+\/healthz\n$/);
    assert.equal((await run(['healthcheck', '--url', server.httpUrl, '--wait'])).code, 0);
  });

  it('exits 1 with one line when nothing answers, also after --wait --timeout', async () => {
    const port = await freePort();
    const once = await run(['healthcheck', '--http-port', String(port)]);
    assert.equal(once.code, 1);
    assert.match(once.stderr, /^tasklight: http:\/\/127\.0\.0\.1:\d+\/healthz is not healthy: connection refused\n$/);
    const started = Date.now();
    const waited = await run(['healthcheck', '--http-port', String(port), '--wait', '--timeout', '600ms']);
    assert.equal(waited.code, 1);
    assert.match(waited.stderr, /waited 600 ms/);
    assert.ok(Date.now() - started >= 600);
  });
});

describe('tasklight serve --exec', () => {
  it('passes the command the endpoints and its exit code through', async () => {
    const cmd = script(
      'probe.js',
      `const fs = require('fs');
       fs.writeFileSync('env.json', JSON.stringify({ g: process.env.TASKLIGHT_GRPC_ENDPOINT, h: process.env.TASKLIGHT_HTTP_URL, c: process.env.CLOUD_TASKS_EMULATOR_HOST }));
       fetch(process.env.TASKLIGHT_HTTP_URL + '/healthz').then((r) => process.exit(r.status === 200 ? 7 : 1));`,
    );
    const { code, stdout, stderr } = await run(['serve', '--grpc-port', '0', '--http-port', '0', '--exec', cmd]);
    assert.equal(code, 7, stderr);
    assert.equal(stdout, '', 'stdout belongs to the command');
    assert.match(stderr, /^Tasklight ready: .*\(in-memory\)$/m);
    const env = JSON.parse(fs.readFileSync(path.join(dir, 'env.json'), 'utf8'));
    assert.match(env.g, /^127\.0\.0\.1:\d+$/);
    assert.match(env.h, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(env.c, new URL(env.h).host);
    assert.equal((await run(['serve', '--grpc-port', '0', '--http-port', '0', '--exec', 'exit 0'])).code, 0);
  });

  it('applies --config, logs attempts as NDJSON, exports on exit and imports that snapshot again', async () => {
    write(
      'tasklight.yaml',
      `project: wf-proj
queues:
  - id: jobs
    retryConfig: { maxAttempts: 1 }
  - id: later
    state: PAUSED
`,
    );
    const handler = http.createServer((req, res) => res.writeHead(req.url === '/fail' ? 500 : 204).end());
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', () => r()));
    const target = `http://127.0.0.1:${(handler.address() as net.AddressInfo).port}`;
    try {
      const cmd = script(
        'enqueue.js',
        `const base = process.env.TASKLIGHT_HTTP_URL;
         const q = 'projects/wf-proj/locations/us-central1/queues/';
         const post = (p, b) => fetch(base + p, { method: 'POST', body: JSON.stringify(b) }).then((r) => r.json());
         (async () => {
           await post('/v2/' + q + 'jobs/tasks', { task: { httpRequest: { url: '${target}/ok' } } });
           await post('/v2/' + q + 'jobs/tasks', { task: { httpRequest: { url: '${target}/fail' } } });
           await post('/v2/' + q + 'later/tasks', { task: { name: q + 'later/tasks/keep-me', httpRequest: { url: '${target}/ok', body: 'aGk=' } } });
           const w = await post('/api/wait-idle', { untilEmpty: true, queue: q + 'jobs', timeoutMs: 10000 });
           process.exit(w.idle ? 0 : 3);
         })();`,
      );
      const snap = path.join(dir, 'snap.json');
      const first = await run(['serve', '--grpc-port', '0', '--http-port', '0', '--config', 'tasklight.yaml', '--log-format', 'json', '--export-on-exit', snap, '--exec', cmd]);
      assert.equal(first.code, 0, first.stderr);
      const records = first.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      assert.equal(records.length, 2);
      for (const r of records) {
        assert.deepEqual(Object.keys(r).sort(), ['attempt', 'durationMs', 'error', 'level', 'method', 'outcome', 'queue', 'runTask', 'status', 'subsystem', 'task', 'time', 'url'].sort());
        assert.equal(r.queue, 'projects/wf-proj/locations/us-central1/queues/jobs');
        assert.equal(r.attempt, 1);
      }
      assert.deepEqual(records.map((r) => [r.url.replace(target, ''), r.status, r.outcome]).sort(), [['/fail', 500, 'http_error'], ['/ok', 204, 'success']]);

      const snapshot = JSON.parse(fs.readFileSync(snap, 'utf8'));
      assert.equal(snapshot.tasklightSnapshot, 1);
      assert.deepEqual(snapshot.queues.map((q: any) => [q.name.split('/').pop(), q.state]).sort(), [['jobs', 'RUNNING'], ['later', 'PAUSED']]);
      assert.deepEqual(snapshot.tasks.map((t: any) => t.name.split('/').pop()), ['keep-me']);
      assert.equal(snapshot.tasks[0].httpRequest.body, 'aGk=');

      const check = script(
        'check.js',
        `fetch(process.env.TASKLIGHT_HTTP_URL + '/v2/projects/wf-proj/locations/us-central1/queues/later/tasks/keep-me?responseView=FULL')
           .then((r) => r.json()).then((t) => process.exit(t.httpRequest && t.httpRequest.body === 'aGk=' ? 0 : 4));`,
      );
      const second = await run(['serve', '--grpc-port', '0', '--http-port', '0', '--import', 'snap.json', '--exec', check]);
      assert.equal(second.code, 0, second.stderr);
    } finally {
      handler.close();
    }
  });

  it('--allowed-host lets a docker-compose service name through; others are refused', async () => {
    const cmd = script(
      'hosts.js',
      `const http = require('http');
       const u = new URL(process.env.TASKLIGHT_HTTP_URL);
       const get = (host) => new Promise((r) => http.get({ host: u.hostname, port: u.port, path: '/v2/projects/p/locations/us-central1/queues', headers: { Host: host } }, (res) => { res.resume(); r(res.statusCode); }));
       Promise.all([get('tasklight:' + u.port), get('intruder:' + u.port)]).then(([a, b]) => process.exit(a === 200 && b === 403 ? 0 : 5));`,
    );
    const { code, stderr } = await run(['serve', '--grpc-port', '0', '--http-port', '0', '--allowed-host', 'tasklight', '--exec', cmd]);
    assert.equal(code, 0, stderr);
  });
});

describe('start-up refused: nothing is started', () => {
  it('a bad config exits 1 with file, line and field, and binds no port', async () => {
    write('bad.yaml', 'project: p-one\nqueues:\n  - id: a\n    retryConfig:\n      maxAttempts: -5\n');
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const { code, stdout, stderr } = await run(['serve', '--grpc-port', String(grpcPort), '--http-port', String(httpPort), '--config', 'bad.yaml', '--exec', 'exit 0']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^tasklight: bad\.yaml:5: queues\[0\]\.retryConfig\.maxAttempts: must be -1 \(unlimited\) or positive, got -5\n$/);
    assert.ok(await portIsFree(grpcPort));
    assert.ok(await portIsFree(httpPort));
    const missing = await run(['serve', '--config', 'missing.yaml'], cleanEnv());
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^tasklight: missing\.yaml: cannot read the config file: no such file\n$/);
    const viaEnv = await run(['serve', '--in-memory'], cleanEnv({ TASKLIGHT_CONFIG: 'bad.yaml' }));
    assert.equal(viaEnv.code, 1);
    const badSnapshot = write('bad-snap.json', '{"queues": []}');
    const snap = await run(['serve', '--in-memory', '--import', badSnapshot]);
    assert.equal(snap.code, 1);
    assert.match(snap.stderr, /not a Tasklight snapshot/);
  });

  it('bad arguments exit 2 with one line and bind no port', async () => {
    const httpPort = await freePort();
    for (const args of [
      ['serve', '--http-port', String(httpPort), '--log-format', 'xml'],
      ['serve', '--http-port', String(httpPort), '--exce', 'npm test'],
      ['healthcheck', '--timeout', 'later'],
      ['env', '--grpc-port', 'abc'],
    ]) {
      const { code, stdout, stderr } = await run(args);
      assert.equal(code, 2, args.join(' '));
      assert.equal(stdout, '');
      assert.match(stderr, /^tasklight: [^\n]+\n$/, args.join(' '));
    }
    assert.ok(await portIsFree(httpPort));
  });
});
