import type { TasklightApi } from '../../../shared/contract';
import type { TasklightBridge } from '../../../shared/ipc';
import { createHttpApi } from './http-api';

/** The desktop app's bridge when present, otherwise HTTP + WebSocket to the page's origin. */
export function chooseApi(win: Pick<Window, 'tasklight'> = window): TasklightApi {
  const bridge: TasklightBridge | undefined = win.tasklight;
  if (bridge && typeof bridge.call === 'function') {
    return {
      transport: 'ipc',
      call: (command, args) => bridge.call(command, args),
      subscribe: (listener) => bridge.subscribe(listener),
      onConnection: (listener) => {
        listener('open');
        return () => undefined;
      },
    };
  }
  return createHttpApi();
}
