import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, invalidArgument } from '../../core/errors';
import { restErrorBody } from '../rpc-status';
import type { HttpHandler } from '../http-server';
import { ROUTES, TESTING_COMMANDS, type CommandName } from '../../../shared/contract';
import type { UiService } from '../ui-service';

const JSON_TYPE = 'application/json; charset=UTF-8';
/** Query parameters that carry arrays (repeated) or booleans/numbers (converted by the service). */
const ARRAY_PARAMS = new Set(['states']);

/**
 * The UI contract over HTTP: each command at its ROUTES entry (GET: query parameters, POST: a
 * JSON body). The test helpers' routes (reset, wait-idle, ...) are served by testing-routes.ts.
 * Host and cross-origin checks happen before any handler (http-server.ts).
 */
export function createUiHttpHandler(service: UiService): HttpHandler {
  const testing = new Set<string>(TESTING_COMMANDS);
  const table = new Map<string, CommandName>();
  for (const [command, route] of Object.entries(ROUTES) as Array<[CommandName, (typeof ROUTES)[CommandName]]>) {
    if (!testing.has(command)) table.set(`${route.method} ${route.path}`, command);
  }
  const paths = new Set([...table.keys()].map((k) => k.slice(k.indexOf(' ') + 1)));

  return async (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/api/')) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    const command = table.get(`${method === 'HEAD' ? 'GET' : method} ${url.pathname}`);
    if (!command) {
      if (!paths.has(url.pathname)) return false;
      send(res, 405, { error: { code: 405, status: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${url.pathname}.` } });
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
        args = parseJson(body);
      }
      const result = await service.call(command, args as never);
      send(res, 200, result ?? {});
    } catch (err) {
      const { status, body: errorBody } = restErrorBody(err instanceof ApiError ? err : toApiError(err));
      send(res, status, errorBody);
    }
    return true;
  };
}

function parseJson(body: Buffer | undefined): Record<string, unknown> {
  if (!body || body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    /* below */
  }
  throw invalidArgument('The request body must be a JSON object.');
}

function toApiError(err: unknown): unknown {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT')) return new ApiError('ALREADY_EXISTS', e.message ?? 'Conflict');
  return err;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': payload.length, 'Cache-Control': 'no-store' });
  res.end(payload);
}
