/**
 * The UI contract over Electron IPC, preload side. `ipcRenderer` is injected so the logic is
 * tested without Electron (tests/desktop/ipc.test.ts wires it to registerUiIpc in-process).
 */
import { TasklightError, type ArgsOf, type CommandName, type ResultOf, type UiUpdate } from '../shared/contract';
import { IPC_INVOKE, IPC_SUBSCRIBE, IPC_UPDATE, type IpcReply, type TasklightBridge } from '../shared/ipc';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, payload: unknown) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike, version: string): TasklightBridge {
  const listeners = new Set<(update: UiUpdate) => void>();
  const onUpdate = (_event: unknown, update: unknown) => {
    for (const l of [...listeners]) l(update as UiUpdate);
  };
  return {
    version,
    transport: 'ipc',
    async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      const reply = (await ipc.invoke(IPC_INVOKE, command, args ?? {})) as IpcReply<ResultOf<K>> | null | undefined;
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
