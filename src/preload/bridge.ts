/**
 * The UI contract over Electron IPC, preload side. `ipcRenderer` is injected so the logic is
 * tested without Electron (tests/ui/ipc-bridge.test.ts wires it to registerUiIpc in-process).
 */
import {
  IPC_INVOKE,
  IPC_SUBSCRIBE,
  IPC_UPDATE,
  type ArgsOf,
  type CommandName,
  type IpcReply,
  type ResultOf,
  type UiUpdate,
  TasklightError,
} from '../shared/contract';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<any>;
  on(channel: string, listener: (event: unknown, payload: any) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: any) => void): unknown;
}

/** What `window.tasklight` is: plain functions and data (contextBridge copies it). */
export interface TasklightBridge {
  readonly version: string;
  readonly transport: 'ipc';
  call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>>;
  subscribe(listener: (update: UiUpdate) => void): () => void;
}


export function createBridge(ipc: IpcRendererLike, version: string): TasklightBridge {
  const listeners = new Set<(update: UiUpdate) => void>();
  const onUpdate = (_event: unknown, update: UiUpdate) => {
    for (const l of [...listeners]) l(update);
  };
  return {
    version,
    transport: 'ipc',
    async call(command, args) {
      const reply = (await ipc.invoke(IPC_INVOKE, command, args ?? {})) as IpcReply<any>;
      if (!reply || typeof reply !== 'object') throw new TasklightError('No answer from the main process.', 500, 'INTERNAL');
      if (!reply.ok) throw new TasklightError(reply.error.message, reply.error.code, reply.error.status);
      return reply.value;
    },
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        ipc.on(IPC_UPDATE, onUpdate);
        void ipc.invoke(IPC_SUBSCRIBE, true);
      }
      return () => {
        if (!listeners.delete(listener) || listeners.size) return;
        ipc.removeListener(IPC_UPDATE, onUpdate);
        void ipc.invoke(IPC_SUBSCRIBE, false);
      };
    },
  };
}
