import {
  EVENTS_PATH,
  ROUTES,
  TasklightError,
  type ArgsOf,
  type CommandName,
  type ContractError,
  type ResultOf,
  type TasklightApi,
  type UiUpdate,
} from '../../../shared/contract';

export interface HttpApiOptions {
  /** Default: the page's origin. */
  baseUrl?: string;
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  /** Reconnect delays grow from this (ms) to 5 s. */
  reconnectMs?: number;
}

/** Builds the query string of a GET command: arrays repeat, undefined/null are left out. */
export function toQuery(args: Record<string, unknown> | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(args ?? {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The contract over HTTP (/api/...) and the WebSocket at /api/events, for the web page. */
export function createHttpApi(opts: HttpApiOptions = {}): TasklightApi {
  const base = (opts.baseUrl ?? globalThis.location?.origin ?? '').replace(/\/$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  const WS = opts.WebSocket ?? globalThis.WebSocket;
  const listeners = new Set<(u: UiUpdate) => void>();
  const connListeners = new Set<(s: 'open' | 'connecting') => void>();
  let socket: WebSocket | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let delay = opts.reconnectMs ?? 250;
  let state: 'open' | 'connecting' = 'connecting';

  const setState = (s: 'open' | 'connecting') => {
    if (state === s) return;
    state = s;
    for (const l of [...connListeners]) l(s);
  };

  const connect = () => {
    if (socket || !listeners.size) return;
    const url = base.replace(/^http/, 'ws') + EVENTS_PATH;
    const ws = new WS(url);
    socket = ws;
    ws.onopen = () => {
      delay = opts.reconnectMs ?? 250;
      setState('open');
    };
    ws.onmessage = (ev: MessageEvent) => {
      let update: UiUpdate;
      try {
        update = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      for (const l of [...listeners]) l(update);
    };
    ws.onclose = () => {
      socket = null;
      setState('connecting');
      if (!listeners.size) return;
      retryTimer = setTimeout(connect, delay);
      delay = Math.min(5000, delay * 2);
    };
    ws.onerror = () => ws.close();
  };

  return {
    transport: 'http',
    async call<K extends CommandName>(command: K, args: ArgsOf<K>): Promise<ResultOf<K>> {
      const route = ROUTES[command];
      if (!route) throw new TasklightError(`Unknown command "${String(command)}".`, 400, 'INVALID_ARGUMENT');
      const a = (args ?? {}) as Record<string, unknown>;
      const res =
        route.method === 'GET'
          ? await doFetch(base + route.path + toQuery(a), { headers: { Accept: 'application/json' } })
          : await doFetch(base + route.path, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
              body: JSON.stringify(a),
            });
      const text = await res.text();
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : {};
      } catch {
        body = undefined;
      }
      if (!res.ok) {
        const e = (body as { error?: Partial<ContractError> } | null | undefined)?.error;
        throw new TasklightError(e?.message ?? `HTTP ${res.status}`, e?.code ?? res.status, e?.status ?? 'UNKNOWN');
      }
      return body as ResultOf<K>;
    },
    subscribe(listener) {
      listeners.add(listener);
      connect();
      return () => {
        listeners.delete(listener);
        if (!listeners.size) {
          clearTimeout(retryTimer);
          socket?.close();
          socket = null;
        }
      };
    },
    onConnection(listener) {
      connListeners.add(listener);
      listener(state);
      return () => connListeners.delete(listener);
    },
  };
}
