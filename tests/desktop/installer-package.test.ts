/**
 * The installers' contents (issue 11, "Installers"): electron-builder.yml packs what the desktop
 * app needs and nothing else. The installers themselves need Electron's zip (and fpm, appimagetool,
 * NSIS...) from GitHub, so this runs the part that works offline: electron-builder's Linux `dir`
 * target, with a stand-in Electron distribution (`electronDist`: a folder holding a shell script
 * named `electron`) and a stand-in Electron build of better-sqlite3 for the afterPack hook (the real
 * one needs Electron's headers or a prebuilt binary from GitHub). Then:
 * - the config passes electron-builder's schema validation, and `electron-builder --help` runs;
 * - resources/app.asar holds out/main, out/preload, out/renderer, package.json and the production
 *   node_modules, including the Cloud Tasks protos read at run time by src/main/core/protos.ts,
 *   and none of src/, tests/, out/types/, Electron or any package the lockfile marks dev-only;
 * - better-sqlite3's native module sits in app.asar.unpacked (it cannot be loaded from an asar);
 * - the packaged files are enough to run the engine: the asar is extracted to a temp dir and its
 *   out/main/cli.js (`tasklight serve`, plain Node, which the un-rebuilt better-sqlite3 suits)
 *   starts, serves the web UI and creates a queue over REST (protos, SQLite, every dependency
 *   resolved from the packaged node_modules only);
 * - the icons in resources/ are PNGs of the sizes their names claim.
 *
 * Builds out/ first (`npm run build`) only when it is missing. Linux only (the `dir` layout and the
 * stand-in are Linux's). Reports the asar's size and file count as test diagnostics.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
// @ts-expect-error: plain .mjs script without declarations
import { electronSqliteTarget } from '../../scripts/desktop/electron-sqlite.mjs';

const ROOT = path.resolve(__dirname, '..', '..');
const SKIP = process.platform !== 'linux' ? 'the stand-in Electron distribution is a Linux one' : false;
const BUILT = ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'];
const ELECTRON_BUILDER_CLI = path.join(
  path.dirname(require.resolve('electron-builder/package.json', { paths: [ROOT] })),
  'cli.js',
);
const EXECUTABLE = 'tasklight-desktop'; // linux.executableName
const STAND_IN = '#!/bin/sh\necho "stand-in Electron for tests/desktop/installer-package.test.ts"\n';
const READY_LINE = /^Tasklight ready: gRPC (\S+), HTTP (http:\/\/\S+) \((.+)\)$/m;

type Asar = {
  listPackage(archive: string, options: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
  extractAll(archive: string, dest: string): void;
  statFile(archive: string, file: string, followLinks?: boolean): { size?: number; unpacked?: boolean };
};
// @electron/asar comes with electron-builder (app-builder-lib's dependency), not as our own.
const NODE_BUILD = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const ELECTRON_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
/** Loads a package as the repository root resolves it (electron-builder's own dependencies are hoisted there). */
const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
const asar = requireFromRoot('@electron/asar') as Asar;

const children = new Set<ChildProcess>();
let tempRoot = '';
let appOutDir = '';
let archive = '';
let entries: string[] = [];
let entrySet = new Set<string>();

/** This process's environment minus what would leak node:test or npm's script context into children. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$)/i.test(key)) continue;
    if (/^(TASKLIGHT_|NODE_OPTIONS$|NODE_PATH$|NODE_TEST_CONTEXT$)/.test(key)) continue;
    env[key] = value;
  }
  env.PATH = [path.dirname(process.execPath), process.env.PATH ?? ''].join(path.delimiter);
  return env;
}

/** Runs a command to completion; rejects with its output when it fails. */
async function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const child = spawn(command, args, { cwd, env: { ...childEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  children.delete(child);
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed: code ${code}, signal ${signal}\n${output}`);
  }
  return output;
}

/** The package path (`node_modules/a/node_modules/@b/c`) an asar entry belongs to, if any. */
function packageOf(entry: string): string | null {
  const parts = entry.replace(/^\//, '').split('/');
  let end = -1;
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] !== 'node_modules') continue;
    end = parts[i + 1]!.startsWith('@') ? i + 2 : i + 1;
    if (end >= parts.length) return null; // a bare scope directory
    i = end;
  }
  return end < 0 ? null : parts.slice(0, end + 1).join('/');
}

/**
 * What the lockfile describing node_modules says about each installed `name@version`: whether some
 * copy of it is a production dependency. electron-builder lays node_modules out anew (it hoists
 * nested production copies), so packages are compared by name and version, not by path.
 */
function lockfileVersions(): { production: Set<string>; devOnlyNames: Set<string> } {
  const hidden = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lockfile = fs.existsSync(hidden) ? hidden : path.join(ROOT, 'package-lock.json');
  const { packages } = JSON.parse(fs.readFileSync(lockfile, 'utf8')) as {
    packages: Record<string, { name?: string; version?: string; dev?: boolean }>;
  };
  const production = new Set<string>();
  const names = new Map<string, boolean>(); // name -> some copy is a production dependency
  for (const [where, info] of Object.entries(packages)) {
    if (!where.includes('node_modules/')) continue;
    const name = info.name ?? where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (info.dev !== true) production.add(`${name}@${info.version}`);
    names.set(name, (names.get(name) ?? false) || info.dev !== true);
  }
  const devOnlyNames = new Set([...names].filter(([, prod]) => !prod).map(([name]) => name));
  return { production, devOnlyNames };
}

/**
 * The afterPack hook's input, as `npm start` leaves it: an "Electron build" of better-sqlite3 in
 * .electron-native/. It is the Node build with a marker appended (the loader ignores trailing
 * bytes), so the packaged engine still runs here under Node and the test can tell which build
 * was packed.
 */
const ELECTRON_BUILD_MARKER = Buffer.from('\0tasklight-test: electron build of better-sqlite3\0');
function seedElectronSqlite(nativeDir: string): string {
  const target = electronSqliteTarget(ROOT, ELECTRON_VERSION, { TASKLIGHT_ELECTRON_NATIVE_DIR: nativeDir });
  fs.mkdirSync(path.dirname(target.binding), { recursive: true });
  fs.writeFileSync(target.binding, Buffer.concat([fs.readFileSync(NODE_BUILD), ELECTRON_BUILD_MARKER]));
  fs.writeFileSync(path.join(target.dir, 'build-info.json'), JSON.stringify({ electron: ELECTRON_VERSION, 'better-sqlite3': target.sqliteVersion }));
  return nativeDir;
}

function pngSize(file: string): { width: number; height: number } {
  const data = fs.readFileSync(file);
  assert.equal(data.subarray(0, 8).toString('hex'), '89504e470d0a1a0a', `${file} is not a PNG`);
  assert.equal(data.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('installer package (electron-builder, linux dir target)', { skip: SKIP }, () => {
  before(async () => {
    if (!BUILT.every((file) => fs.existsSync(path.join(ROOT, file)))) {
      await run('npm', ['run', 'build'], ROOT);
    }
    tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-installer-'));
    const electronDist = path.join(tempRoot, 'electron-dist');
    fs.mkdirSync(electronDist);
    fs.writeFileSync(path.join(electronDist, 'electron'), STAND_IN, { mode: 0o755 });
    const output = path.join(tempRoot, 'dist');
    await run(
      process.execPath,
      [
        ELECTRON_BUILDER_CLI,
        '--linux',
        'dir',
        '--publish',
        'never',
        `-c.electronDist=${electronDist}`,
        `-c.directories.output=${output}`,
      ],
      ROOT,
      { TASKLIGHT_ELECTRON_NATIVE_DIR: seedElectronSqlite(path.join(tempRoot, 'electron-native')) },
    );
    appOutDir = path.join(output, 'linux-unpacked');
    archive = path.join(appOutDir, 'resources', 'app.asar');
    entries = asar.listPackage(archive, { isPack: false });
    entrySet = new Set(entries);
  });

  after(() => {
    for (const child of children) child.kill('SIGKILL');
    if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
  });

  test('the config passes electron-builder schema validation, and a bad key does not', async () => {
    const { getConfig, validateConfiguration } = requireFromRoot('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string | null, fromOptions: null): Promise<Record<string, unknown>>;
      validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = requireFromRoot('builder-util') as {
      DebugLogger: new (enabled: boolean) => unknown;
    };
    const config = await getConfig(ROOT, path.join(ROOT, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    assert.equal(config.appId, 'dev.tasklight.app');
    assert.equal(config.productName, 'Tasklight');
    const broken = { ...config, linux: { ...(config.linux as object), noSuchOption: true } };
    await assert.rejects(validateConfiguration(broken, new DebugLogger(false)), /Invalid configuration object/);
  });

  test('electron-builder --help runs offline', async () => {
    const help = await run(process.execPath, [ELECTRON_BUILDER_CLI, '--help'], ROOT);
    assert.match(help, /--linux/);
    assert.match(help, /--publish/);
  });

  test('the executable is the stand-in Electron, renamed; no update feed is written', () => {
    const executable = path.join(appOutDir, EXECUTABLE);
    assert.equal(fs.readFileSync(executable, 'utf8'), STAND_IN);
    assert.ok(fs.statSync(executable).mode & 0o100, 'executable bit kept');
    assert.ok(!fs.existsSync(path.join(appOutDir, 'resources', 'app-update.yml')), 'publish: null');
  });

  test('app.asar holds the built app and package.json, nothing else from the repo', (t) => {
    for (const file of BUILT) assert.ok(entrySet.has(`/${file}`), `${file} packed`);
    const top = entries.filter((entry) => entry.split('/').length === 2).sort();
    assert.deepEqual(top, ['/node_modules', '/out', '/package.json']);
    const out = entries.filter((entry) => /^\/out\/[^/]+$/.test(entry)).sort();
    assert.deepEqual(out, ['/out/main', '/out/preload', '/out/renderer'], 'no out/types');
    assert.deepEqual(entries.filter((entry) => entry.endsWith('.map')), []);

    const packed = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as Record<string, unknown>;
    assert.equal(packed.main, 'out/main/index.js');
    assert.equal(packed.desktopName, 'tasklight.desktop');
    assert.equal(packed.scripts, undefined, 'electron-builder strips scripts');

    const bytes = fs.statSync(archive).size;
    t.diagnostic(`app.asar: ${(bytes / 1e6).toFixed(1)} MB, ${entries.length} entries`);
  });

  test('the Cloud Tasks protos read at run time are packed, byte for byte', () => {
    for (const file of [
      'node_modules/@google-cloud/tasks/build/protos/protos.json',
      'node_modules/google-gax/build/protos/locations.json',
    ]) {
      assert.ok(entrySet.has(`/${file}`), `${file} packed`);
      assert.ok(asar.extractFile(archive, file).equals(fs.readFileSync(path.join(ROOT, file))), `${file} intact`);
    }
    // protos.ts finds the package through require.resolve, so its entry point must be there too.
    const tasksPackage = JSON.parse(
      asar.extractFile(archive, 'node_modules/@google-cloud/tasks/package.json').toString('utf8'),
    ) as { main: string };
    assert.ok(entrySet.has(`/${path.posix.join('node_modules/@google-cloud/tasks', tasksPackage.main)}`));
  });

  test('no Electron, no dev-only package, no sources or tests', () => {
    const { production, devOnlyNames } = lockfileVersions();
    assert.ok(devOnlyNames.has('electron'), 'the lockfile marks electron dev-only');
    const roots = [...new Set(entries.map(packageOf).filter((root): root is string => root !== null))];
    const packed = roots.map((root) => {
      const manifest = JSON.parse(asar.extractFile(archive, `${root}/package.json`).toString('utf8')) as {
        name: string;
        version: string;
      };
      return `${manifest.name}@${manifest.version}`;
    });
    assert.ok(packed.some((id) => id.startsWith('better-sqlite3@')));
    assert.deepEqual(packed.filter((id) => !production.has(id)), [], 'packed packages that are not production dependencies');
    const names = new Set(packed.map((id) => id.slice(0, id.lastIndexOf('@'))));
    assert.deepEqual([...names].filter((name) => devOnlyNames.has(name)), []);
    for (const name of ['electron', 'react', 'react-dom', 'vite', 'typescript', 'electron-vite', 'electron-builder', 'zustand', 'tsx']) {
      assert.ok(!names.has(name), `${name} not packed`);
    }
    for (const dir of ['src', 'tests', 'bench', 'resources', 'scripts', '.electron-native']) {
      assert.ok(!entrySet.has(`/${dir}`), `${dir}/ not packed`);
    }
  });

  test('better-sqlite3 native module is unpacked, its sources and build leftovers are not shipped', () => {
    const binding = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    const unpacked = path.join(appOutDir, 'resources', 'app.asar.unpacked', binding);
    assert.ok(fs.existsSync(unpacked), `${binding} in app.asar.unpacked`);
    assert.equal(asar.statFile(archive, binding).unpacked, true);
    const packedBuild = fs.readFileSync(unpacked);
    assert.ok(packedBuild.subarray(-ELECTRON_BUILD_MARKER.length).equals(ELECTRON_BUILD_MARKER), 'the Electron build from .electron-native/ is packed, not the Node build');
    assert.ok(!fs.readFileSync(NODE_BUILD).subarray(-ELECTRON_BUILD_MARKER.length).equals(ELECTRON_BUILD_MARKER), "node_modules' Node build is untouched");
    const shipped = entries.filter((entry) => entry.startsWith('/node_modules/better-sqlite3/'));
    assert.deepEqual(
      shipped.filter((entry) => /\/(deps|src|obj|obj\.target)(\/|$)|\.a$|test_extension\.node$/.test(entry)),
      [],
    );
  });

  test('the packaged files run the engine: tasklight serve from the extracted asar', async () => {
    const app = path.join(tempRoot, 'extracted');
    asar.extractAll(archive, app);
    const child = spawn(
      process.execPath,
      [path.join(app, 'out/main/cli.js'), 'serve', '--grpc-port', '0', '--http-port', '0', '--in-memory'],
      { cwd: tempRoot, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.add(child);
    let output = '';
    const ready = new Promise<string>((resolve, reject) => {
      const onData = (chunk: string) => {
        output += chunk;
        const match = READY_LINE.exec(output);
        if (match) resolve(match[2]!);
      };
      child.stdout!.setEncoding('utf8').on('data', onData);
      child.stderr!.setEncoding('utf8').on('data', onData);
      child.on('close', (code) => reject(new Error(`serve exited (${code}) before it was ready:\n${output}`)));
    });
    try {
      const httpUrl = await ready;
      const ui = await fetch(`${httpUrl}/`);
      assert.equal(ui.status, 200);
      assert.match(await ui.text(), /<div id="root">|<script/);
      const parent = `${httpUrl}/v2/projects/demo/locations/us-central1/queues`;
      const created = await fetch(parent, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'projects/demo/locations/us-central1/queues/packaged' }),
      });
      assert.equal(created.status, 200, await created.clone().text());
      assert.equal(((await created.json()) as { state: string }).state, 'RUNNING');
      const listed = (await (await fetch(parent)).json()) as { queues: Array<{ name: string }> };
      assert.deepEqual(listed.queues.map((queue) => queue.name), ['projects/demo/locations/us-central1/queues/packaged']);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'close');
      children.delete(child);
    }
  });
});

describe('installer icons', () => {
  test('icon.png is 1024x1024 and the Linux set has every size its file names claim', () => {
    assert.deepEqual(pngSize(path.join(ROOT, 'resources', 'icon.png')), { width: 1024, height: 1024 });
    const names = fs.readdirSync(path.join(ROOT, 'resources', 'icons')).sort();
    const sizes = names.map((name) => Number(/^(\d+)x\1\.png$/.exec(name)?.[1])).sort((a, b) => a - b);
    assert.deepEqual(sizes, [16, 24, 32, 48, 64, 128, 256, 512]);
    for (const size of sizes) {
      assert.deepEqual(pngSize(path.join(ROOT, 'resources', 'icons', `${size}x${size}.png`)), { width: size, height: size });
    }
  });

});
