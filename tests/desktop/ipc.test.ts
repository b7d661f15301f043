/**
 * The Electron bridge without Electron: the preload side (createBridge) and the main side
 * (registerUiIpc, with the shipped sender check isAppSender) wired together in-process through a
 * fake ipcMain/ipcRenderer pair.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EventEmitter } from 'node:events';
import { createBridge, type IpcRendererLike } from '../../src/preload/bridge';
import { isAppFrameUrl, isAppSender, registerUiIpc, type IpcEvent, type IpcMainLike } from '../../src/main/desktop/ipc';
import { startServer, type RunningServer } from '../../src/main/server';
import { TasklightError, type UiUpdate } from '../../src/shared/contract';
import { IPC_UPDATE } from '../../src/shared/ipc';
import { waitFor } from '../helpers/handler';

const APP_URL = 'file:///opt/Tasklight/resources/app/out/renderer/index.html';
const QUEUE = 'projects/p/locations/us-central1/queues/ipc';
/** The app's one window: renderers of its own page send from this webContents. */
const APP_WINDOW = { webContents: { id: 1 } };
const WINDOW_ID = APP_WINDOW.webContents.id;
const OTHER_WEBCONTENTS_ID = 2;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, (event: IpcEvent, ...args: any[]) => unknown>();
  handle(channel: string, listener: (event: IpcEvent, ...args: any[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

/** One renderer: its webContents (sender) and its ipcRenderer, talking to `main`. */
function renderer(main: FakeIpcMain, id: number, frameUrl: string, parent: unknown = null) {
  const emitter = new EventEmitter();
  const sender = {
    id,
    destroyed: false,
    send: (channel: string, payload: unknown) => emitter.emit(channel, {}, payload),
    isDestroyed() {
      return this.destroyed;
    },
    once: (event: 'destroyed', listener: () => void) => emitter.once(`wc:${event}`, listener),
  };
  const ipc: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = main.handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron clones arguments and results (structured clone).
      const cloned = structuredClone(args);
      return structuredClone(await handler({ sender, senderFrame: { url: frameUrl, parent } }, ...cloned));
    },
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  return { ipc, sender, destroy: () => ((sender.destroyed = true), emitter.emit('wc:destroyed')) };
}

describe('Electron IPC bridge (injected transport)', () => {
  let server: RunningServer;
  const main = new FakeIpcMain();
  let unregister: () => void;

  before(async () => {
    server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
    unregister = registerUiIpc(main, server.ui, (event) => isAppSender(event, APP_WINDOW, APP_URL));
  });
  after(async () => {
    unregister();
    await server.close();
  });

  it('runs commands from the app frame and returns typed results', async () => {
    const bridge = createBridge(renderer(main, WINDOW_ID, `${APP_URL}#/queue/x`).ipc, '9.9.9');
    assert.equal(bridge.version, '9.9.9');
    assert.deepEqual(await bridge.call('listQueues', undefined), []);
    const q = await bridge.call('createQueue', { name: QUEUE, rateLimits: { maxDispatchesPerSecond: 7 } });
    assert.equal(q.id, 'ipc');
    assert.equal(q.rateLimits.maxDispatchesPerSecond, 7);
    const t = await bridge.call('createTask', { queue: QUEUE, url: 'http://127.0.0.1:9/x', body: '{"a":1}', delayS: 60 });
    assert.equal(t.state, 'scheduled');
    const detail = await bridge.call('getTask', { queue: QUEUE, id: t.id });
    assert.equal(Buffer.from(detail.request.bodyBase64, 'base64').toString(), '{"a":1}');
    const info = await bridge.call('serverInfo', undefined);
    assert.equal(info.httpUrl, server.httpUrl);
  });

  it('turns errors into TasklightError with the contract code', async () => {
    const bridge = createBridge(renderer(main, WINDOW_ID, APP_URL).ipc, '1');
    await assert.rejects(bridge.call('getQueue', { name: 'projects/p/locations/l/queues/none' }), (err: unknown) => {
      assert.ok(err instanceof TasklightError);
      assert.equal(err.status, 'NOT_FOUND');
      assert.equal(err.code, 404);
      return true;
    });
    await assert.rejects(bridge.call('nope' as never, {} as never), /Unknown command/);
  });

  it('refuses IPC from other pages and from subframes', async () => {
    for (const [url, parent] of [
      ['https://evil.example/', null],
      ['file:///tmp/other.html', null],
      [APP_URL, { url: APP_URL }],
    ] as const) {
      const bridge = createBridge(renderer(main, WINDOW_ID, url, parent).ipc, '1');
      await assert.rejects(bridge.call('listQueues', undefined), (err: TasklightError) => err.status === 'PERMISSION_DENIED');
    }
  });

  it('refuses IPC from another webContents, even on the app page', async () => {
    const bridge = createBridge(renderer(main, OTHER_WEBCONTENTS_ID, APP_URL).ipc, '1');
    await assert.rejects(bridge.call('listQueues', undefined), (err: TasklightError) => err.status === 'PERMISSION_DENIED');
  });

  it('refuses IPC once the window is gone', async () => {
    const sender = renderer(main, WINDOW_ID, APP_URL).sender;
    assert.equal(isAppSender({ sender, senderFrame: { url: APP_URL, parent: null } }, APP_WINDOW, APP_URL), true);
    assert.equal(isAppSender({ sender, senderFrame: { url: APP_URL, parent: null } }, null, APP_URL), false);
    assert.equal(isAppSender({ sender, senderFrame: null }, APP_WINDOW, APP_URL), false, 'a frame that navigated away or was destroyed');
  });

  it('pushes coalesced updates (at most ~10 a second) and stops after unsubscribe', async () => {
    const r = renderer(main, WINDOW_ID, APP_URL);
    const bridge = createBridge(r.ipc, '1');
    const updates: UiUpdate[] = [];
    const off = bridge.subscribe((u) => updates.push(u));
    const started = Date.now();
    // 400 changes in quick succession.
    await Promise.all(Array.from({ length: 400 }, (_, i) => server.ui.call('createTask', { queue: QUEUE, url: `http://127.0.0.1:9/${i}`, delayS: 3600 })));
    // Until the update that counts them all (30 s only catches a hang).
    await waitFor(() => updates.at(-1)?.queues?.find((q) => q.name === QUEUE)?.counts.scheduled === 401, 30_000, 'an update counting all 401 tasks');
    const elapsed = (Date.now() - started) / 1000;
    assert.ok(updates.length >= 1, 'at least one update');
    assert.ok(updates.length <= Math.ceil(elapsed * 10) + 1, `${updates.length} updates in ${elapsed.toFixed(2)} s`);
    const last = updates[updates.length - 1];
    assert.equal(last.queues?.find((q) => q.name === QUEUE)?.counts.scheduled, 401);
    assert.ok(updates.some((u) => u.changedQueues.includes(QUEUE)));
    assert.ok(updates.some((u) => u.tasksTruncated), 'more than 200 task changes are reported as truncated');
    off();
    const before = updates.length;
    await server.ui.call('createTask', { queue: QUEUE, url: 'http://127.0.0.1:9/late', delayS: 60 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(updates.length, before);
    assert.equal(server.ui.hub.size, 0);
  });

  it('drops the subscription when the webContents is destroyed', async () => {
    const r = renderer(main, WINDOW_ID, APP_URL);
    const bridge = createBridge(r.ipc, '1');
    bridge.subscribe(() => undefined);
    await waitFor(() => server.ui.hub.size === 1, 30_000, 'the subscription to reach the hub');
    assert.equal(server.ui.hub.size, 1);
    r.destroy();
    assert.equal(server.ui.hub.size, 0);
  });

  it('IPC_UPDATE messages reach every listener of one renderer', async () => {
    const r = renderer(main, WINDOW_ID, APP_URL);
    const bridge = createBridge(r.ipc, '1');
    const a: number[] = [];
    const b: number[] = [];
    const offA = bridge.subscribe((u) => a.push(u.seq));
    const offB = bridge.subscribe((u) => b.push(u.seq));
    r.sender.send(IPC_UPDATE, { seq: 42, atMs: 0, changedQueues: [], changedTasks: [], tasksTruncated: false, reset: false });
    assert.deepEqual(a.slice(-1), [42]);
    assert.deepEqual(b.slice(-1), [42]);
    offA();
    offB();
  });
});

describe('isAppFrameUrl', () => {
  it('accepts the app file and its routes, and the dev server origin', () => {
    assert.ok(isAppFrameUrl(`${APP_URL}#/task/q/1`, APP_URL));
    assert.ok(!isAppFrameUrl('file:///etc/passwd', APP_URL));
    assert.ok(isAppFrameUrl('http://localhost:5173/#/', 'http://localhost:5173/'));
    assert.ok(!isAppFrameUrl('http://localhost:5174/', 'http://localhost:5173/'));
    assert.ok(!isAppFrameUrl('not a url', APP_URL));
  });
});
