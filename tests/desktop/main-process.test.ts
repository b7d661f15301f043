/**
 * The desktop app's main process as built (out/main/index.js), run under plain Node with a
 * stand-in `electron` module (tests/desktop/stand-in-electron/), since Electron's binary cannot be
 * downloaded here. It checks what the real window would rest on: one locked-down window with the
 * preload, the IPC handlers, the engine on the data dir (with the better-sqlite3 build it was
 * handed), a clean shutdown on quit, the single-instance hand-over and the data-dir-in-use dialog.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { SystemClock } from '../../src/main/core/clock';
import { Engine } from '../../src/main/core/engine';
import { resolveSettings } from '../../src/main/core/settings';
import { holdingHandler } from '../helpers/holding-handler';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'out', 'main', 'index.js');
const RUNNER = path.join(__dirname, 'stand-in-electron', 'run-main.cjs');
const NODE_BUILD = path.join(ROOT, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const READY_LINE = /^Tasklight ready: gRPC (\S+), HTTP (http:\/\/\S+) \(data: (.+)\)$/m;

type Recorded = { event: string; [key: string]: any };

interface App {
  child: ChildProcess;
  events: Recorded[];
  output(): string;
  send(message: Record<string, unknown>): void;
  /** The first recorded event of this name after `from` (an index into events), once it happens. */
  next(event: string, from?: number): Promise<Recorded>;
  exited: Promise<number | null>;
}

const apps = new Set<ChildProcess>();
const tempDirs: string[] = [];

afterEach(() => {
  for (const child of apps) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  apps.clear();
});
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-desktop-'));
  tempDirs.push(dir);
  return dir;
}

/** Starts the built main process; its data dir is XDG_CONFIG_HOME/Tasklight, as Electron's userData. */
function launch(configHome: string, env: NodeJS.ProcessEnv = {}): App {
  const clean: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TASKLIGHT_')) clean[key] = value;
  const child = spawn(process.execPath, [RUNNER, MAIN], {
    cwd: ROOT,
    env: { ...clean, XDG_CONFIG_HOME: configHome, TASKLIGHT_GRPC_PORT: '0', TASKLIGHT_HTTP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  apps.add(child);
  const events: Recorded[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (message: Recorded) => {
    events.push(message);
    for (const wake of waiters.splice(0)) wake();
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const next = async (event: string, from = 0): Promise<Recorded> => {
    for (;;) {
      const found = events.slice(from).find((e) => e.event === event);
      if (found) return found;
      const woke = await Promise.race([
        new Promise<'event'>((resolve) => waiters.push(() => resolve('event'))),
        exited.then(() => 'exit' as const),
      ]);
      if (woke === 'exit' && !events.slice(from).some((e) => e.event === event)) {
        assert.fail(`the main process exited before "${event}"; events: ${events.map((e) => e.event).join(', ')}\n${text}`);
      }
    }
  };
  return { child, events, output: () => text, send: (m) => child.send(m), next, exited };
}

async function readyLine(app: App): Promise<{ httpUrl: string; dataDir: string }> {
  for (;;) {
    const match = READY_LINE.exec(app.output());
    if (match) return { httpUrl: match[2]!, dataDir: match[3]! };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('desktop main process (built, with a stand-in electron module)', () => {
  before(() => {
    if (!fs.existsSync(MAIN)) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
      assert.equal(build.status, 0, 'npm run build');
    }
  });

  it('starts the engine on its data dir and opens one locked-down window with the preload', async () => {
    const home = tempDir();
    const binding = path.join(tempDir(), 'better_sqlite3.node');
    fs.copyFileSync(NODE_BUILD, binding);
    const app = launch(home, { TASKLIGHT_SQLITE_BINDING: binding });

    const lock = await app.next('app.requestSingleInstanceLock');
    assert.equal(lock.granted, true);
    assert.deepEqual(app.events.filter((e) => e.event === 'BrowserWindow.new'), [], 'no window before the app is ready');
    app.send({ cmd: 'ready' });
    const loaded = await app.next('window.loadFile');
    assert.equal(loaded.file, path.join(ROOT, 'out', 'renderer', 'index.html'));

    const windows = app.events.filter((e) => e.event === 'BrowserWindow.new');
    assert.equal(windows.length, 1);
    const prefs = windows[0]!.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.preload, path.join(ROOT, 'out', 'preload', 'index.js'));
    assert.ok(fs.existsSync(prefs.preload), 'the preload is built');
    assert.equal(windows[0]!.options.show, false, 'shown on ready-to-show');
    await app.next('window.show');

    const channels = app.events.filter((e) => e.event === 'ipcMain.handle').map((e) => e.channel);
    assert.deepEqual(channels.sort(), ['tasklight:invoke', 'tasklight:subscribe']);
    assert.ok(app.events.some((e) => e.event === 'session.setPermissionRequestHandler'));

    const { httpUrl, dataDir } = await readyLine(app);
    assert.equal(dataDir, path.join(home, 'Tasklight'));
    assert.ok(fs.existsSync(path.join(dataDir, 'tasklight.sqlite')), 'the store is in the data dir');
    assert.ok(fs.existsSync(path.join(dataDir, 'tasklight.lock')), 'the data dir is locked');
    const info = (await (await fetch(`${httpUrl}/api/info`)).json()) as { mode: string; dataDir: string };
    assert.equal(info.mode, 'desktop');
    assert.equal(info.dataDir, dataDir);
    if (process.platform === 'linux') {
      const maps = fs.readFileSync(`/proc/${app.child.pid}/maps`, 'utf8');
      assert.ok(maps.includes(binding), 'the engine loaded the better-sqlite3 build it was handed');
      assert.ok(!maps.includes(NODE_BUILD), "and not node_modules' own");
    }
  });

  it('answers IPC from its own page and refuses it from any other frame', async () => {
    const app = launch(tempDir());
    app.send({ cmd: 'ready' });
    await app.next('window.loadFile');

    let from = app.events.length;
    app.send({ cmd: 'invoke', command: 'createQueue', args: { name: 'projects/p/locations/l/queues/from-ipc' }, fromApp: true });
    const created = (await app.next('invoke.reply', from)).reply;
    assert.equal(created.ok, true, JSON.stringify(created));

    from = app.events.length;
    app.send({ cmd: 'invoke', command: 'listQueues', fromApp: true });
    const listed = (await app.next('invoke.reply', from)).reply;
    assert.equal(listed.ok, true);
    assert.deepEqual(listed.value.map((q: { name: string }) => q.name), ['projects/p/locations/l/queues/from-ipc']);

    from = app.events.length;
    app.send({ cmd: 'invoke', command: 'listQueues', fromApp: false });
    const refused = (await app.next('invoke.reply', from)).reply;
    assert.equal(refused.ok, false);
    assert.equal(refused.error.status, 'PERMISSION_DENIED');
  });

  it('a second launch brings the first window back instead of starting another engine', async () => {
    const app = launch(tempDir());
    app.send({ cmd: 'ready' });
    await app.next('window.show'); // on ready-to-show
    app.send({ cmd: 'minimize' });
    const from = app.events.length;
    app.send({ cmd: 'second-instance' });
    await app.next('window.focus', from);
    assert.deepEqual(
      app.events.slice(from).map((e) => e.event).filter((e) => e.startsWith('window.')),
      ['window.restore', 'window.show', 'window.focus'],
    );

    // The second launch itself: the single-instance lock is taken, so it quits at once.
    const second = launch(tempDir(), { STAND_IN_SINGLE_INSTANCE: 'taken' });
    assert.equal(await second.exited, 0);
    assert.ok(second.events.some((e) => e.event === 'app.quit'));
    assert.ok(!second.events.some((e) => e.event === 'BrowserWindow.new' || e.event === 'ipcMain.handle'));
    assert.doesNotMatch(second.output(), /Tasklight ready/);
  });

  it('on quit closes the engine before exiting, and releases the data dir', async () => {
    const home = tempDir();
    const app = launch(home);
    app.send({ cmd: 'ready' });
    await app.next('window.loadFile');
    const { httpUrl, dataDir } = await readyLine(app);

    const from = app.events.length;
    app.send({ cmd: 'quit' });
    await app.next('app.will-quit-prevented', from);
    const exitedEvent = await app.next('app.exited', from);
    assert.equal(exitedEvent.code, 0);
    assert.equal(await app.exited, 0);
    const order = app.events.slice(from).map((e) => e.event);
    assert.ok(order.indexOf('ipcMain.removeHandler') < order.indexOf('app.exited'), order.join(', '));
    assert.equal(fs.existsSync(path.join(dataDir, 'tasklight.lock')), false, 'lock released');
    await assert.rejects(fetch(`${httpUrl}/healthz`), 'the HTTP port is closed');
    assert.ok(fs.existsSync(path.join(dataDir, 'tasklight.sqlite')));
  });

  it('when another Tasklight has the data dir, says so in a dialog that offers its web UI, and exits 1', async () => {
    const home = tempDir();
    const first = launch(home);
    first.send({ cmd: 'ready' });
    const { httpUrl, dataDir } = await readyLine(first);

    // Electron's single-instance lock is per app; `tasklight serve` does not take it, so the
    // second launch passes it and meets the data dir's lock instead.
    const second = launch(home);
    second.send({ cmd: 'ready' });
    const shown = await second.next('dialog.showMessageBox');
    assert.equal(shown.options.message, `tasklight: data dir ${dataDir} is in use by PID ${first.child.pid} (use --data-dir DIR2 or --in-memory)`);
    assert.deepEqual(shown.options.buttons, ['Open Web UI', 'Quit']);
    assert.ok(!second.events.some((e) => e.event === 'BrowserWindow.new'), 'no window of its own');
    second.send({ cmd: 'answer-dialog', response: 0 });
    const opened = await second.next('shell.openExternal');
    assert.equal(opened.url, httpUrl);
    assert.equal(await second.exited, 1);

    // The first is unaffected.
    assert.equal((await fetch(`${httpUrl}/healthz`)).status, 200);
  });

  it('on quit with an attempt in flight, waits for its answer and records it before exiting 0', async () => {
    const handler = await holdingHandler();
    try {
      const home = tempDir();
      const app = launch(home);
      app.send({ cmd: 'ready' });
      const { httpUrl, dataDir } = await readyLine(app);
      await taskInFlight(httpUrl, handler.url);
      const response = await handler.request();

      const from = app.events.length;
      app.send({ cmd: 'quit' });
      await app.next('app.will-quit-prevented', from);
      response.writeHead(204).end();
      assert.equal((await app.next('app.exited', from)).code, 0);
      assert.equal(await app.exited, 0);

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

  it('Ctrl-C quits gracefully, and Ctrl-C again while an attempt in flight is waited for exits at once', async () => {
    const handler = await holdingHandler();
    try {
      const app = launch(tempDir());
      app.send({ cmd: 'ready' });
      const { httpUrl } = await readyLine(app);
      await taskInFlight(httpUrl, handler.url);
      await handler.request();

      const from = app.events.length;
      app.child.kill('SIGINT');
      await app.next('app.will-quit-prevented', from);
      // A copy of the first request within moments (terminal + npm) is not a second one: repeat
      // Ctrl+C until the app takes one as deliberate.
      const again = setInterval(() => app.child.kill('SIGINT'), 100);
      try {
        assert.equal((await app.next('app.exited', from)).code, 1);
        assert.equal(await app.exited, 1);
      } finally {
        clearInterval(again);
      }
      assert.match(app.output(), /quit again, exiting without waiting for attempts in flight/);
    } finally {
      handler.close();
    }
  });
});

async function taskInFlight(httpUrl: string, target: string): Promise<void> {
  const parent = 'projects/stop/locations/us-central1';
  const post = (p: string, body: unknown) => fetch(`${httpUrl}${p}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post(`/v2/${parent}/queues`, { name: `${parent}/queues/q` })).status, 200);
  assert.equal((await post(`/v2/${parent}/queues/q/tasks`, { task: { httpRequest: { url: target } } })).status, 200);
}
