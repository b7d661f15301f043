/**
 * The npm package end to end (issue 11, "A real package"): `npm pack` in the repo, then a fresh
 * project installs the tarball with `npm install -D ./tasklight-<version>.tgz` (dependencies from
 * the registry or npm's cache, no build step) and
 * - `npx tasklight --version` and `npx tasklight serve` work, and serve's web UI and its assets load;
 * - the project's own tests use `tasklight/testing` from ESM (`import`) and CommonJS (`require`),
 *   run by `node --test` in the project, with no TypeScript, tsx or anything else from the repo;
 * - `tsc --noEmit` (the repo's typescript, with `skipLibCheck: false`) resolves its types under
 *   `nodenext` (.mts and .cts) and `bundler` resolution;
 * - neither Electron nor any other devDependency is installed.
 *
 * Slow by nature: `npm pack` runs prepack (a full `npm run build` of out/ in this checkout) and the
 * install compiles better-sqlite3 from source when no prebuilt binary is reachable. It reports the
 * tarball, unpacked and installed sizes and the pack/install times as test diagnostics.
 *
 * Child npm processes get this process's environment (PATH with this Node first, and
 * npm_config_nodedir so the native addon builds against this Node's headers), minus what would
 * leak the repo into the project: npm's per-script variables, NODE_OPTIONS/NODE_PATH, node:test's
 * NODE_TEST_CONTEXT and any TASKLIGHT_* setting.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

const ROOT = path.resolve(__dirname, '..', '..');
const REPO_PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  devDependencies: Record<string, string>;
};
const TSC = path.join(path.dirname(require.resolve('typescript/package.json', { paths: [ROOT] })), 'bin', 'tsc');
const READY_LINE = /^Tasklight ready: gRPC (\S+), HTTP (http:\/\/\S+) \((.+)\)$/m;

/** What the tarball may hold: the CLI, the testing entry, their chunks, the UI, the types. */
const ALLOWED_FILES = [
  /^package\.json$/,
  /^README\.md$/,
  /^LICENSE$/,
  /^bin\/tasklight\.js$/,
  /^out\/main\/(cli|testing)\.js$/,
  // package.json "main" (the Electron entry, kept for `electron .` and electron-builder): npm
  // always packs the "main" file. Nothing in the package loads it; "exports" hides it.
  /^out\/main\/index\.js$/,
  /^out\/main\/chunks\/[^/]+\.js$/,
  /^out\/renderer\/(index\.html|assets\/[^/]+)$/,
  /^out\/types\/.+\.d\.ts$/,
];
const REQUIRED_FILES = [
  'package.json',
  'README.md',
  'LICENSE',
  'bin/tasklight.js',
  'out/main/cli.js',
  'out/main/testing.js',
  'out/renderer/index.html',
  'out/types/main/testing.d.ts',
];

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const children = new Set<ChildProcess>();
let tempRoot = '';
let project = '';
let packed: PackResult;
const timings: Record<string, number> = {};

/** The environment for child processes (see the file comment). */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|config_local_prefix$)/i.test(key)) continue;
    if (/^(TASKLIGHT_|NODE_OPTIONS$|NODE_PATH$|NODE_TEST_CONTEXT$|INIT_CWD$)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
  return { ...env, XDG_CONFIG_HOME: path.join(tempRoot, 'config-home'), ...extra };
}

/**
 * Runs a command to completion; rejects with its output when it fails. Each child leads its own
 * process group (npm and npx run their work in grandchildren), so cleanup can end all of it.
 */
async function run(command: string, args: string[], cwd: string): Promise<Run> {
  const child = spawn(command, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  children.delete(child);
  const result = { code, signal, stdout, stderr };
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: code ${code}, signal ${signal}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
  return result;
}

/** Ends a child's whole process group and waits until none of it is left. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (;;) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await sleep(50);
  }
}

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = performance.now() - start;
  }
}

/** `npm pack --json` prints the prepack build's output first, then the JSON array. */
function parsePackJson(stdout: string): PackResult {
  const start = stdout.startsWith('[') ? 0 : stdout.lastIndexOf('\n[') + 1;
  assert.ok(start > 0 || stdout.startsWith('['), `no JSON in npm pack's output:\n${stdout}`);
  const [result] = JSON.parse(stdout.slice(start)) as PackResult[];
  assert.ok(result, 'npm pack listed no package');
  return result;
}

/** Bytes on disk under a directory, like `du`: allocated blocks, each inode once, links not followed. */
function diskUsage(dir: string, seen = new Set<string>()): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const stat = fs.lstatSync(full);
    const inode = `${stat.dev}:${stat.ino}`;
    if (seen.has(inode)) continue;
    seen.add(inode);
    total += stat.blocks * 512;
    if (entry.isDirectory()) total += diskUsage(full, seen);
  }
  return total;
}

const kB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const MB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The project's own test, as an app would write it: a local handler, a queue, a task. */
function handlerTest(style: 'esm' | 'cjs'): string {
  const header =
    style === 'esm'
      ? `import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { startTasklight } from 'tasklight/testing';`
      : `const assert = require('node:assert/strict');
const { createServer } = require('node:http');
const { test } = require('node:test');
const { startTasklight } = require('tasklight/testing');`;
  // The ESM test goes over gRPC (tl.client()), the CommonJS one over REST (tl.restClient()).
  const client = style === 'esm' ? 'client' : 'restClient';
  return `${header}

test('a task created through tasklight/testing (${style}) reaches the local handler', async () => {
  const received = [];
  const handler = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, body, queue: req.headers['x-cloudtasks-queuename'] });
      res.end('ok');
    });
  });
  await new Promise((resolve) => handler.listen(0, '127.0.0.1', resolve));
  const tl = await startTasklight();
  try {
    const client = tl.${client}();
    const parent = 'projects/my-proj/locations/us-central1';
    const [queue] = await client.createQueue({ parent, queue: { name: parent + '/queues/emails' } });
    await client.createTask({
      parent: queue.name,
      task: { httpRequest: { httpMethod: 'POST', url: 'http://127.0.0.1:' + handler.address().port + '/send', body: Buffer.from('{"to":"ada"}') } },
    });
    await tl.waitForDone(queue.name);
    const attempts = await tl.attempts({ queue: queue.name });
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0].status, 200);
    assert.equal(attempts[0].outcome, 'success');
    assert.deepEqual(received, [{ method: 'POST', url: '/send', body: '{"to":"ada"}', queue: 'emails' }]);
  } finally {
    await tl.stop();
    await new Promise((resolve) => handler.close(resolve));
  }
});
`;
}

/** Compiles only against the package's declarations; the @ts-expect-error proves they are not `any`. */
const TYPE_CHECK = `import { connectTasklight, startTasklight, TasklightError, type AttemptRecord, type StartOptions, type Tasklight } from 'tasklight/testing';

export async function check(): Promise<number | null> {
  const options: StartOptions = { config: { queues: [] }, settings: {} };
  const tl: Tasklight = await startTasklight(options);
  const [queue] = await tl.client().createQueue({ parent: 'projects/p/locations/l', queue: { name: 'projects/p/locations/l/queues/q' } });
  await tl.waitForDone(queue.name ?? undefined, 1000);
  const attempts: AttemptRecord[] = await tl.attempts({ queue: queue.name ?? undefined, limit: 10 });
  const env: Record<string, string> = tl.env;
  void env;
  void connectTasklight({ httpUrl: tl.httpUrl });
  void (new TasklightError('m', 400, {}).status satisfies number);
  // @ts-expect-error: not part of the Tasklight handle
  tl.noSuchHelper();
  await tl.stop();
  return attempts[0]?.status ?? null;
}
`;

describe('the npm package, packed and installed into a fresh project', () => {
  before(async () => {
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-pack-'));
    const packDir = path.join(tempRoot, 'pack');
    project = path.join(tempRoot, 'project');
    fs.mkdirSync(packDir);
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(tempRoot, 'config-home'));

    const pack = await timed('pack', () => run('npm', ['pack', '--json', '--pack-destination', packDir], ROOT));
    packed = parsePackJson(pack.stdout);
    const tarball = path.join(packDir, packed.filename);
    assert.ok(fs.existsSync(tarball), `npm pack wrote no ${tarball}`);

    await run('npm', ['init', '-y'], project);
    await timed('install', () =>
      run('npm', ['install', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund'], project),
    );
  });

  after(async () => {
    await Promise.all([...children].map((child) => killGroup(child)));
    children.clear();
    if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
  });

  test('the tarball holds the built CLI, testing entry, UI and types, and nothing else', (t) => {
    const paths = packed.files.map((f) => f.path).sort();
    for (const file of REQUIRED_FILES) assert.ok(paths.includes(file), `${file} is missing from the tarball`);
    const unexpected = paths.filter((p) => !ALLOWED_FILES.some((re) => re.test(p)));
    assert.deepEqual(unexpected, [], 'files in the tarball that the package does not need');
    assert.deepEqual(paths.filter((p) => p.endsWith('.map')), [], 'source maps in the tarball');
    assert.ok(paths.some((p) => /^out\/renderer\/assets\/.+\.js$/.test(p)), 'the web UI script is missing');

    const installed = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', 'tasklight', 'package.json'), 'utf8'));
    assert.equal(installed.private, undefined, 'the packed package.json is private');
    assert.equal(installed.version, REPO_PACKAGE.version);

    t.diagnostic(`tarball ${packed.filename}: ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${packed.files.length} files`);
    t.diagnostic(`npm pack (prepack build included): ${seconds(timings.pack!)}`);
    t.diagnostic(`npm install of the tarball: ${seconds(timings.install!)}`);
    t.diagnostic(`project node_modules on disk: ${MB(diskUsage(path.join(project, 'node_modules')))}`);
    t.diagnostic(`node_modules/tasklight on disk: ${MB(diskUsage(path.join(project, 'node_modules', 'tasklight')))}`);
    t.diagnostic(`node_modules/better-sqlite3 on disk: ${MB(diskUsage(path.join(project, 'node_modules', 'better-sqlite3')))}`);
  });

  test('neither Electron nor any other devDependency is installed', () => {
    // Whole tree, nested copies included, from the project's lockfile. @types/* are left out:
    // @types/node legitimately arrives as a dependency of protobufjs.
    const lock = JSON.parse(fs.readFileSync(path.join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const installed = new Set(
      Object.keys(lock.packages)
        .filter((key) => key.includes('node_modules/'))
        .map((key) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)),
    );
    const devOnly = Object.keys(REPO_PACKAGE.devDependencies).filter((name) => !name.startsWith('@types/'));
    assert.ok(devOnly.includes('electron'));
    assert.deepEqual(devOnly.filter((name) => installed.has(name)), [], 'devDependencies installed in the project');
    for (const name of ['electron', 'react', 'vite', 'electron-vite', 'zustand', 'typescript', 'tsx']) {
      assert.equal(fs.existsSync(path.join(project, 'node_modules', name)), false, `node_modules/${name} exists`);
    }
  });

  test('npx tasklight --version prints the package version', async () => {
    const { stdout } = await run('npx', ['tasklight', '--version'], project);
    assert.equal(stdout.trim(), REPO_PACKAGE.version);
  });

  test('npx tasklight serve starts and serves the web UI and its assets', async () => {
    const child = spawn('npx', ['tasklight', 'serve', '--in-memory', '--grpc-port', '0', '--http-port', '0'], {
      cwd: project,
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    try {
      let stdout = '';
      let stderr = '';
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const httpUrl = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (chunk: string) => {
          stdout += chunk;
          const match = READY_LINE.exec(stdout);
          if (match) resolve(match[2]!);
        });
        child.on('close', (code, signal) =>
          reject(new Error(`tasklight serve exited (code ${code}, signal ${signal}) before it was ready\n${stdout}\n${stderr}`)),
        );
      });
      assert.match(stdout, READY_LINE);
      assert.match(stdout, /\(in-memory\)/);

      const page = await fetch(`${httpUrl}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<title>Tasklight<\/title>/);
      assert.match(html, /<div id="root"><\/div>/);

      const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.(js|css))"/g)];
      assert.ok(assets.some((m) => m[2] === 'js'), `no script asset in the page:\n${html}`);
      for (const [, asset, kind] of assets) {
        const res = await fetch(new URL(asset!, `${httpUrl}/`));
        assert.equal(res.status, 200, `GET /${asset}`);
        assert.match(res.headers.get('content-type') ?? '', kind === 'js' ? /javascript/ : /text\/css/, `GET /${asset}`);
        assert.ok((await res.arrayBuffer()).byteLength > 0, `GET /${asset} is empty`);
      }
    } finally {
      await killGroup(child);
      children.delete(child);
    }
  });

  test("the project's own ESM test (import) runs under node --test", async () => {
    fs.writeFileSync(path.join(project, 'handler.test.mjs'), handlerTest('esm'));
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', 'handler.test.mjs'], project);
    assert.match(stdout, /^# pass 1$/m, stdout);
    assert.match(stdout, /^# fail 0$/m, stdout);
  });

  test("the project's own CommonJS test (require) runs under node --test", async () => {
    fs.writeFileSync(path.join(project, 'handler.test.cjs'), handlerTest('cjs'));
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', 'handler.test.cjs'], project);
    assert.match(stdout, /^# pass 1$/m, stdout);
    assert.match(stdout, /^# fail 0$/m, stdout);
  });

  test('tsc resolves the tasklight/testing types (nodenext .mts/.cts, bundler .ts; skipLibCheck off)', async () => {
    for (const file of ['check.mts', 'check.cts', 'check.ts']) fs.writeFileSync(path.join(project, file), TYPE_CHECK);
    const common = { target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false };
    fs.writeFileSync(
      path.join(project, 'tsconfig.nodenext.json'),
      JSON.stringify({ compilerOptions: { ...common, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['check.mts', 'check.cts'] }),
    );
    fs.writeFileSync(
      path.join(project, 'tsconfig.bundler.json'),
      JSON.stringify({ compilerOptions: { ...common, module: 'esnext', moduleResolution: 'bundler' }, files: ['check.ts'] }),
    );
    await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.nodenext.json'], project);
    await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.bundler.json'], project);
  });
});
