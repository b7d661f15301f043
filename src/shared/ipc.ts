/**
 * The UI contract over Electron IPC: the channel names and reply envelope both processes use, and
 * what the preload exposes to the page as `window.tasklight`. The main side is
 * src/main/desktop/ipc.ts, the preload side src/preload/bridge.ts; the renderer only sees the
 * `TasklightBridge` type (and falls back to HTTP when `window.tasklight` is absent).
 */
import type { ArgsOf, CommandName, ContractError, ResultOf, UiUpdate } from './contract';

/** Electron IPC channel names. */
export const IPC_INVOKE = 'tasklight:invoke';
export const IPC_SUBSCRIBE = 'tasklight:subscribe';
export const IPC_UPDATE = 'tasklight:update';

/** The IPC reply envelope (errors cross IPC as data, not as mangled Error strings). */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: ContractError };

/** What `window.tasklight` is: plain functions and data (contextBridge copies it). */
export interface TasklightBridge {
  readonly version: string;
  readonly transport: 'ipc';
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  subscribe(listener: (update: UiUpdate) => void): () => void;
}

declare global {
  interface Window {
    /** Present in the desktop app (preload); absent when the page is served by `tasklight serve`. */
    tasklight?: TasklightBridge;
  }
}
