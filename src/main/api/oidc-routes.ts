import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenIssuer } from '../core/oidc/token-issuer';
import { sendJson } from './json-response';

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
    // Verifiers cache keys for a while, as they do Google's.
    sendJson(res, 200, body, { 'Cache-Control': 'public, max-age=300' });
    return true;
  };
}
