import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, invalidArgument } from '../../core/errors';
import type { HttpHandler } from '../http-server';
import { NO_STORE, sendError, sendJson, sendMethodNotAllowed } from '../json-response';
import { parseJsonText } from '../json-text';
import { ROUTES, type CommandName } from '../../../shared/contract';
import type { UiService } from '../ui-service';

/** Query parameters that carry arrays (repeated) or booleans/numbers (converted by the service). */
const ARRAY_PARAMS = new Set(['states']);

/**
 * The UI contract over HTTP, the test helpers' contract included: each command at its ROUTES
 * entry (GET: query parameters, POST: a JSON body). Host and cross-origin checks happen before any
 * handler (http-server.ts).
 */
export function createUiHttpHandler(service: UiService): HttpHandler {
  const table = new Map<string, CommandName>();
  for (const [command, route] of Object.entries(ROUTES) as Array<[CommandName, (typeof ROUTES)[CommandName]]>) {
    table.set(`${route.method} ${route.path}`, command);
  }
  const allowed = new Map<string, string[]>();
  for (const key of table.keys()) {
    const [method, path] = key.split(' ') as [string, string];
    allowed.set(path, [...(allowed.get(path) ?? []), method]);
  }

  return async (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    const command = table.get(`${method === 'HEAD' ? 'GET' : method} ${url.pathname}`);
    if (!command) {
      const methods = allowed.get(url.pathname);
      if (!methods) return false;
      sendMethodNotAllowed(res, method, url.pathname, methods, NO_STORE);
      return true;
    }
    try {
      let args: Record<string, unknown>;
      if (ROUTES[command].method === 'GET') {
        args = {};
        for (const key of new Set(url.searchParams.keys())) {
          const values = url.searchParams.getAll(key);
          args[key] = ARRAY_PARAMS.has(key) ? values.flatMap((v) => v.split(',')).filter(Boolean) : values[values.length - 1];
        }
      } else {
        args = parseJson(body, url.pathname);
      }
      const result = await service.call(command, args as never);
      sendJson(res, 200, result ?? {}, NO_STORE);
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : toApiError(err), NO_STORE);
    }
    return true;
  };
}

/**
 * No message walk follows (the commands take plain objects), so invalid UTF-8 is refused here
 * rather than read as U+FFFD; nesting is bounded before parsing, as on the REST surface.
 */
function parseJson(body: Buffer | undefined, path: string): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  const value = parseJsonText(body, { source: path, invalidUtf8: 'refuse' });
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`The body of ${path} must be a JSON object.`);
  return value as Record<string, unknown>;
}

function toApiError(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) return new ApiError('ALREADY_EXISTS', e.message ?? 'Conflict');
  return err;
}
