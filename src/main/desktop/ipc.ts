/**
 * The UI contract over Electron IPC, main side. Electron itself is injected (the `ipcMain` and
 * event shapes below are the few members used), so this runs and is tested under plain Node.
 */
import { toApiError } from '../core/errors';
import { httpStatusOf } from '../api/rpc-status';
import { isCommandName, type ArgsOf, type CommandName, type ContractError, type UiUpdate } from '../../shared/contract';
import { IPC_INVOKE, IPC_SUBSCRIBE, IPC_UPDATE, type IpcReply } from '../../shared/ipc';

export interface IpcSender {
  id: number;
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
}

export interface IpcEvent {
  sender: IpcSender;
  /** The frame that sent the message (null once it navigated away or was destroyed). */
  senderFrame: { url: string; parent: unknown | null } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface UiServiceLike {
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<unknown>;
  subscribe(listener: (update: UiUpdate) => void, ready?: () => boolean): () => void;
}

export function contractError(err: unknown): ContractError {
  const e = toApiError(err);
  return { code: httpStatusOf(e), status: e.code, message: e.message };
}

/**
 * True when `frameUrl` is the app's own page: the same file (packaged: file://.../index.html) or
 * the same origin as the dev server. Anything else (an iframe, a page navigated to) is refused.
 */
export function isAppFrameUrl(frameUrl: string, appUrl: string): boolean {
  let frame: URL;
  let app: URL;
  try {
    frame = new URL(frameUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return frame.protocol === 'file:' && frame.pathname === app.pathname;
  return frame.origin === app.origin;
}

/**
 * Whether an IPC message came from the app's own page: sent by the app window's webContents, from
 * its top-level frame, on the app's URL. Another window, an iframe, a page navigated to, or any
 * message once the window is gone gets PERMISSION_DENIED (registerUiIpc's `trusted`).
 */
export function isAppSender(event: IpcEvent, appWindow: { webContents: { id: number } } | null, appUrl: string): boolean {
  const frame = event.senderFrame;
  return (
    !!appWindow &&
    event.sender.id === appWindow.webContents.id &&
    !!frame &&
    frame.parent === null &&
    isAppFrameUrl(frame.url, appUrl)
  );
}

/**
 * Registers the two channels: invoke (command, args) → IpcReply, and subscribe(on) for updates
 * pushed with webContents.send(IPC_UPDATE). `trusted` decides per message whether it came from
 * the app's own top-level frame; anything else gets PERMISSION_DENIED and no data.
 */
export function registerUiIpc(
  ipcMain: IpcMainLike,
  service: UiServiceLike,
  trusted: (event: IpcEvent) => boolean,
): () => void {
  const subscriptions = new Map<number, () => void>();
  const denied = (): IpcReply<never> => ({
    ok: false,
    error: { code: 403, status: 'PERMISSION_DENIED', message: 'IPC is accepted only from the app’s own frames.' },
  });

  ipcMain.handle(IPC_INVOKE, async (event, command: unknown, args: unknown): Promise<IpcReply<unknown>> => {
    if (!trusted(event)) return denied();
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 400, status: 'INVALID_ARGUMENT', message: `Unknown command "${String(command)}".` } };
    }
    try {
      // What the renderer sent, unchecked by TypeScript: each command checks its own arguments.
      return { ok: true, value: await service.call(command, (args ?? {}) as ArgsOf<typeof command>) };
    } catch (err) {
      return { ok: false, error: contractError(err) };
    }
  });

  ipcMain.handle(IPC_SUBSCRIBE, (event, on: unknown): IpcReply<boolean> => {
    if (!trusted(event)) return denied();
    const sender = event.sender;
    subscriptions.get(sender.id)?.();
    subscriptions.delete(sender.id);
    if (on === false) return { ok: true, value: false };
    const unsubscribe = service.subscribe(
      (update) => {
        if (!sender.isDestroyed()) sender.send(IPC_UPDATE, update);
      },
      () => !sender.isDestroyed(),
    );
    subscriptions.set(sender.id, unsubscribe);
    sender.once('destroyed', () => {
      subscriptions.get(sender.id)?.();
      subscriptions.delete(sender.id);
    });
    return { ok: true, value: true };
  });

  return () => {
    ipcMain.removeHandler(IPC_INVOKE);
    ipcMain.removeHandler(IPC_SUBSCRIBE);
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  };
}
