/**
 * `npm start` (scripts/start.mjs) decides between the desktop app and `tasklight serve`. Electron's
 * binary and headers cannot be downloaded here, so the Electron side is played by stand-ins: an
 * executable given through ELECTRON_OVERRIDE_DIST_PATH that records how it was launched, and a
 * local HTTP server standing in for Electron's download mirror and its headers site.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
// @ts-expect-error: plain .mjs script without declarations
import { electronSqliteTarget } from '../../scripts/desktop/electron-sqlite.mjs';

const ROOT = path.resolve(__dirname, '..', '..');
const START = path.join(ROOT, 'scripts', 'start.mjs');
const ELECTRON_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const READY_LINE = /^Tasklight ready: gRPC \S+, HTTP (http:\/\/\S+) /m;

const children = new Set<ChildProcess>();
const tempDirs: string[] = [];
const servers: http.Server[] = [];

// start.mjs runs `tasklight serve` as its child: each start gets its own process group, and the
// whole group goes, so no server outlives its test (or keeps the test file's pipes open).
afterEach(() => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  children.clear();
});
after(() => {
  for (const server of servers) server.close();
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-start-'));
  tempDirs.push(dir);
  return dir;
}

/**
 * The developer's environment minus anything that would reach the real network or caches: a
 * throwaway HOME (node-gyp's and @electron/rebuild's header caches live there), data dir and
 * Electron cache.
 */
function isolatedEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('TASKLIGHT_') && !key.startsWith('ELECTRON_') && !/^npm_config_(devdir|better_sqlite3)/i.test(key)) env[key] = value;
  }
  const home = tempDir();
  return { ...env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), electron_config_cache: path.join(home, 'electron-cache'), ...extra };
}

/** An executable named like Electron's that writes its arguments, cwd and binding to a file. */
function standInElectron(): { distDir: string; record: string } {
  const distDir = tempDir();
  const record = path.join(distDir, 'launch.json');
  const script = `#!/usr/bin/env node
require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(), binding: process.env.TASKLIGHT_SQLITE_BINDING }));
`;
  fs.writeFileSync(path.join(distDir, 'electron'), script, { mode: 0o755 });
  return { distDir, record };
}

interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv, args: string[] = ['--in-memory', '--grpc-port', '0', '--http-port', '0']): Started {
  const child = spawn(process.execPath, [START, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output: () => text, exited };
}

/** Resolves with the web UI's URL once `tasklight serve` is ready; rejects if start.mjs exits first. */
async function servedUrl(started: Started): Promise<string> {
  for (;;) {
    const match = READY_LINE.exec(started.output());
    if (match) return match[1]!;
    const exitedFirst = await Promise.race([started.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 100))]);
    if (exitedFirst && !READY_LINE.test(started.output())) assert.fail(`start.mjs exited before serving:\n${started.output()}`);
  }
}

function fallbackLine(output: string): string {
  const lines = output.split('\n').filter((line) => line.startsWith('start: no desktop app: '));
  assert.equal(lines.length, 1, `expected exactly one fallback line in:\n${output}`);
  return lines[0]!;
}

async function localServer(handler: http.RequestListener): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    handler(req, res);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

function notFound(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(404).end();
}

/** Seeds the Electron build of better-sqlite3 as start.mjs leaves it after a successful build. */
function seedElectronSqlite(nativeDir: string): string {
  const target = electronSqliteTarget(ROOT, ELECTRON_VERSION, { TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir });
  fs.mkdirSync(path.dirname(target.binding), { recursive: true });
  fs.writeFileSync(target.binding, 'stand-in');
  fs.writeFileSync(path.join(target.dir, 'build-info.json'), JSON.stringify({ electron: ELECTRON_VERSION, 'better-sqlite3': target.sqliteVersion }));
  return target.binding;
}

const electronBinaryInstalled = fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'path.txt'));

describe('npm start', () => {
  it(
    'downloads Electron with its installer, showing progress, and falls back to serve with one line when the download fails',
    { skip: electronBinaryInstalled && 'the Electron binary is installed here, so start.mjs would not download it' },
    async () => {
      // A mirror that serves a "binary" whose checksum does not match Electron's checksums.json.
      const size = 4 * 1024 * 1024;
      const mirror = await localServer((_req, res) => {
        res.writeHead(200, { 'Content-Length': String(size), 'Content-Type': 'application/zip' });
        res.end(Buffer.alloc(size));
      });
      const started = start(isolatedEnv({ ELECTRON_MIRROR: `${mirror.url}/` }));
      const url = await servedUrl(started);

      assert.deepEqual(mirror.requests, [`/v${ELECTRON_VERSION}/electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`]);
      const output = started.output();
      assert.match(output, new RegExp(`start: downloading Electron ${ELECTRON_VERSION.replace(/\./g, '\\.')} for ${process.platform}-${process.arch}`));
      const progress = [...output.matchAll(/^ {2}(\d+)% of 4 MB$/gm)].map((m) => Number(m[1]));
      assert.ok(progress.length >= 3, `progress is shown while downloading: ${output}`);
      assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress only goes up');
      assert.equal(progress.at(-1), 100);
      const line = fallbackLine(output);
      assert.match(line, /the Electron download failed \(.*checksum/i);
      assert.match(line, /running `tasklight serve` with the web UI instead\. To get the desktop app, run `npm start` again once online\.$/);
      assert.equal(fs.existsSync(path.join(ROOT, 'node_modules', 'electron', 'path.txt')), false, 'nothing was unpacked');

      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">/);
    },
  );

  it('launches Electron on the app folder, handing it the Electron build of better-sqlite3', async () => {
    const electron = standInElectron();
    const nativeDir = tempDir();
    const binding = seedElectronSqlite(nativeDir);
    const started = start(isolatedEnv({ ELECTRON_OVERRIDE_DIST_PATH: electron.distDir, TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir }));

    assert.equal(await started.exited, 0, started.output());
    const launch = JSON.parse(fs.readFileSync(electron.record, 'utf8'));
    assert.deepEqual(launch.args, ['.']);
    assert.equal(fs.realpathSync(launch.cwd), fs.realpathSync(ROOT));
    assert.equal(launch.binding, binding);
    assert.doesNotMatch(started.output(), /no desktop app|tasklight serve|Tasklight ready/);
  });

  it('passes the desktop app exit code on', async () => {
    const electron = standInElectron();
    fs.appendFileSync(path.join(electron.distDir, 'electron'), 'process.exit(3);\n');
    const nativeDir = tempDir();
    seedElectronSqlite(nativeDir);
    const started = start(isolatedEnv({ ELECTRON_OVERRIDE_DIST_PATH: electron.distDir, TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir }));
    assert.equal(await started.exited, 3);
  });

  it('rebuilds better-sqlite3 when its Electron build was made for another Electron version', async () => {
    const electron = standInElectron();
    const nativeDir = tempDir();
    seedElectronSqlite(nativeDir);
    const target = electronSqliteTarget(ROOT, ELECTRON_VERSION, { TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir });
    fs.writeFileSync(path.join(target.dir, 'build-info.json'), JSON.stringify({ electron: '44.0.0', 'better-sqlite3': target.sqliteVersion }));
    const nowhere = await localServer(notFound);
    const started = start(
      isolatedEnv({
        ELECTRON_OVERRIDE_DIST_PATH: electron.distDir,
        TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir,
        TASKLIGHT_ELECTRON_HEADERS_URL: nowhere.url,
        npm_config_better_sqlite3_binary_host: `${nowhere.url}/prebuilds`,
      }),
    );
    await servedUrl(started);

    const line = fallbackLine(started.output());
    assert.match(line, new RegExp(`the build of better-sqlite3 for Electron ${ELECTRON_VERSION.replace(/\./g, '\\.')} failed \\(.*; log: .*build\\.log\\)`));
    assert.match(line, /run `npm start` again once either is available\.$/);
    assert.ok(nowhere.requests.some((url) => url.startsWith(`/v${ELECTRON_VERSION}/`)), `asked for Electron's headers: ${nowhere.requests.join(', ')}`);
    assert.equal(fs.existsSync(electron.record), false, 'Electron was not launched without a usable better-sqlite3');
  });

  // Compiles better-sqlite3 through @electron/rebuild and node-gyp against "Electron headers" that
  // are really this Node's (served by a stand-in headers site), so the result loads right here.
  const nodeHeaders = path.join(path.dirname(process.execPath), '..', 'include', 'node');
  it(
    'builds better-sqlite3 for Electron with @electron/rebuild beside the Node build, once',
    { skip: !fs.existsSync(path.join(nodeHeaders, 'node.h')) && `no headers for this Node at ${nodeHeaders}` },
    async () => {
      const headers = tempDir();
      const top = path.join(headers, `node-v${ELECTRON_VERSION}`);
      fs.mkdirSync(path.join(top, 'include'), { recursive: true });
      fs.cpSync(nodeHeaders, path.join(top, 'include', 'node'), { recursive: true });
      const tarball = path.join(headers, `node-v${ELECTRON_VERSION}-headers.tar.gz`);
      execFileSync('tar', ['-czf', tarball, '-C', headers, `node-v${ELECTRON_VERSION}`]);
      const tarballBytes = fs.readFileSync(tarball);
      const sha = (await import('node:crypto')).createHash('sha256').update(tarballBytes).digest('hex');
      const site = await localServer((req, res) => {
        if (req.url === `/v${ELECTRON_VERSION}/node-v${ELECTRON_VERSION}-headers.tar.gz`) return void res.end(tarballBytes);
        if (req.url === `/v${ELECTRON_VERSION}/SHASUMS256.txt`) return void res.end(`${sha}  node-v${ELECTRON_VERSION}-headers.tar.gz\n`);
        notFound(req, res);
      });
      const nodeBuild = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
      const nodeBuildBefore = fs.statSync(nodeBuild).mtimeMs;

      const electron = standInElectron();
      const nativeDir = tempDir();
      const env = isolatedEnv({
        ELECTRON_OVERRIDE_DIST_PATH: electron.distDir,
        TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir,
        TASKLIGHT_ELECTRON_HEADERS_URL: site.url,
        npm_config_better_sqlite3_binary_host: `${site.url}/prebuilds`,
      });
      const first = start(env);
      assert.equal(await first.exited, 0, first.output());
      assert.match(first.output(), new RegExp(`start: building better-sqlite3 \\S+ for Electron ${ELECTRON_VERSION.replace(/\./g, '\\.')}`));

      const launch = JSON.parse(fs.readFileSync(electron.record, 'utf8'));
      const target = electronSqliteTarget(ROOT, ELECTRON_VERSION, { TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir });
      assert.equal(launch.binding, target.binding);
      const db = new Database(':memory:', { nativeBinding: launch.binding });
      assert.deepEqual(db.prepare('select 41 + 1 as answer').get(), { answer: 42 });
      db.close();
      assert.equal(fs.statSync(nodeBuild).mtimeMs, nodeBuildBefore, "node_modules' Node build is left alone");

      // A second start reuses the build.
      fs.rmSync(electron.record);
      const again = start(env);
      assert.equal(await again.exited, 0, again.output());
      assert.doesNotMatch(again.output(), /building better-sqlite3/);
      assert.equal(JSON.parse(fs.readFileSync(electron.record, 'utf8')).binding, target.binding);
    },
  );
});
