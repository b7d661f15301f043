import type { ServerResponse } from 'node:http';
import { ApiError } from '../../core/errors';
import type { HttpHandler } from '../http-server';
import type { RpcImplementation } from '../rpc';
import { restErrorBody } from '../rpc-status';
import { decodeRestRequest, encodeRestResponse, wantsNumericEnums } from './json-codec';
import { buildRouteTable, type RouteTable } from './route-table';

const JSON_TYPE = 'application/json; charset=UTF-8';

/**
 * Cloud Tasks REST over the RPC implementation. Resolves false for paths outside the REST
 * surface so the HTTP server can offer them to its other handlers.
 */
export function createRestHandler(impl: RpcImplementation, table: RouteTable = buildRouteTable()): HttpHandler {
  return async (req, res, body) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    if (!table.ownsPath(rawPath)) return false;
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const method = (req.method ?? 'GET').toUpperCase();

    try {
      const match = table.match(method, rawPath);
      if (match.kind === 'no-route') {
        throw new ApiError('NOT_FOUND', `The requested URL ${rawPath} was not found on this server.`);
      }
      if (match.kind === 'method-not-allowed') {
        sendJson(res, 405, methodNotAllowedBody(method, rawPath), { Allow: match.allowed.join(', ') });
        return true;
      }
      const { route, pathParams } = match;
      const handler = impl.get(route.methodPath);
      if (!handler) {
        throw new ApiError('UNIMPLEMENTED', `Method ${route.methodPath.slice(1).replace('/', '.')} is not implemented by Tasklight.`);
      }
      const request = decodeRestRequest({ route, pathParams, query, body });
      const response = await handler(request, { transport: 'rest' });
      sendJson(res, 200, encodeRestResponse(route.responseType, response, wantsNumericEnums(query)));
    } catch (err) {
      const { status, body: errorBody } = restErrorBody(err);
      sendJson(res, status, JSON.stringify(errorBody));
    }
    return true;
  };
}

function methodNotAllowedBody(method: string, path: string): string {
  // No canonical code means "wrong HTTP method"; UNIMPLEMENTED is what gax makes of it anyway.
  return JSON.stringify({
    error: {
      code: 405,
      message: `HTTP method ${method} is not supported for ${path}.`,
      status: 'UNIMPLEMENTED',
      details: [],
    },
  });
}

export function sendJson(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = Buffer.from(body, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Type': JSON_TYPE, 'Content-Length': payload.length });
  res.end(payload);
}
