import type { TasklightApi } from '../../../shared/contract';
import type { TasklightBridge } from '../../../preload/bridge';
import { createHttpApi } from './http-api';

declare global {
  interface Window {
    /** Present in the desktop app (preload); absent when the page is served by `tasklight serve`. */
    tasklight?: TasklightBridge;
  }
}

/** The desktop app's bridge when present, otherwise HTTP + WebSocket to the page's origin. */
export function chooseApi(win: Pick<Window, 'tasklight'> = window): TasklightApi {
  const bridge = win.tasklight;
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
