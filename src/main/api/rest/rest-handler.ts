import { ApiError } from '../../core/errors';
import type { HttpHandler } from '../http-server';
import type { RpcImplementation } from '../rpc';
import { sendError, sendJsonText, sendMethodNotAllowed } from '../json-response';
import { checkQueryText, decodeRestRequest, encodeRestResponse, wantsNumericEnums } from './json-codec';
import { buildRouteTable, type RouteTable } from './route-table';

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
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = (req.method ?? 'GET').toUpperCase();

    try {
      const match = table.match(method, rawPath);
      if (match.kind === 'no-route') {
        throw new ApiError('NOT_FOUND', `The requested URL ${rawPath} was not found on this server.`);
      }
      if (match.kind === 'method-not-allowed') {
        sendMethodNotAllowed(res, method, rawPath, match.allowed);
        return true;
      }
      const { route, pathParams } = match;
      const handler = impl.get(route.methodPath);
      if (!handler) {
        throw new ApiError('UNIMPLEMENTED', `Method ${route.methodPath.slice(1).replace('/', '.')} is not implemented by Tasklight.`);
      }
      checkQueryText(rawQuery);
      const request = decodeRestRequest({ route, pathParams, query, body });
      const response = await handler(request, { transport: 'rest' });
      sendJsonText(res, 200, encodeRestResponse(route.responseType, response, wantsNumericEnums(query)));
    } catch (err) {
      sendError(res, err);
    }
    return true;
  };
}
