import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenIssuer } from '../core/oidc/token-issuer';

/**
 * OIDC discovery and keys at Google's own paths, so a handler that verifies Cloud Tasks tokens
 * only has to change the host (https://www.googleapis.com/oauth2/v3/certs and
 * https://accounts.google.com/.well-known/openid-configuration in production).
 */
export function createOidcHandler(tokens: TokenIssuer) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '').split('?')[0];
    let body: object | undefined;
    if (path === '/.well-known/openid-configuration') body = tokens.discoveryDocument();
    else if (path === '/oauth2/v3/certs') body = tokens.jwks();
    else if (path === '/oauth2/v1/certs') body = tokens.pemCerts();
    if (!body) return false;
    const json = JSON.stringify(body);
    res.writeHead(200, {
      'content-type': 'application/json; charset=UTF-8',
      'cache-control': 'public, max-age=300',
      'content-length': Buffer.byteLength(json),
    });
    res.end(req.method === 'HEAD' ? undefined : json);
    return true;
  };
}
