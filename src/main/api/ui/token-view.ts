import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet } from 'jose';
import type { TokenIssuer } from '../../core/oidc/token-issuer';
import type { TokenView, VerifyTokenArgs } from '../../../shared/contract';

/**
 * Decodes an OIDC token a handler received and verifies it against Tasklight's JWKS (the
 * document GET /oauth2/v3/certs serves) and issuer, as a handler's verifier would.
 */
export async function verifyToken(tokens: TokenIssuer, args: VerifyTokenArgs, nowMs: number): Promise<TokenView> {
  const token = (args.token ?? '').replace(/^Bearer\s+/i, '').trim();
  const issuer = tokens.issuer;
  const view: TokenView = {
    header: null,
    claims: null,
    verified: false,
    error: null,
    warnings: [],
    issuer,
    jwksUri: `${issuer}/oauth2/v3/certs`,
    discoveryUri: `${issuer}/.well-known/openid-configuration`,
    expiresMs: null,
    issuedMs: null,
  };
  try {
    view.header = decodeProtectedHeader(token) as Record<string, unknown>;
    view.claims = decodeJwt(token) as Record<string, unknown>;
  } catch {
    view.error = 'Not a JWT: an OAuth access token (opaque) or a malformed value.';
    return view;
  }
  const claims = view.claims;
  if (typeof claims.exp === 'number') view.expiresMs = claims.exp * 1000;
  if (typeof claims.iat === 'number') view.issuedMs = claims.iat * 1000;

  const keys = createLocalJWKSet(tokens.jwks() as JSONWebKeySet);
  const currentDate = new Date(nowMs);
  try {
    await jwtVerify(token, keys, { issuer, algorithms: ['RS256'], currentDate });
    view.verified = true;
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      // Say whether the signature itself is good.
      try {
        await jwtVerify(token, keys, { issuer, algorithms: ['RS256'], currentDate: new Date((claims.iat as number) * 1000) });
        view.error = 'Expired; the signature is valid (a handler verifying now would reject it).';
      } catch (inner) {
        view.error = (inner as Error).message;
      }
    } else {
      view.error = (err as Error).message;
    }
  }

  const aud = Array.isArray(claims.aud) ? claims.aud.map(String) : claims.aud === undefined ? [] : [String(claims.aud)];
  if (args.audience && !aud.includes(args.audience)) {
    view.warnings.push(`aud is ${JSON.stringify(claims.aud)}, but the task's audience is "${args.audience}".`);
  }
  if (args.url && !args.audience && !aud.includes(args.url)) {
    view.warnings.push(`aud ${JSON.stringify(claims.aud)} differs from the URL the request went to (${args.url}); a handler checking aud against its own URL rejects it.`);
  }
  if (args.url && aud.some((a) => a.includes('?'))) {
    view.warnings.push('aud carries a query string; Cloud Run and similar verifiers reject such an audience.');
  }
  if (view.expiresMs !== null) {
    const left = view.expiresMs - nowMs;
    if (left <= 0) view.warnings.push('The token has expired.');
    else if (left < 5 * 60_000) view.warnings.push(`The token expires in ${Math.round(left / 1000)} s.`);
  }
  if (claims.iss !== issuer) view.warnings.push(`iss is ${JSON.stringify(claims.iss)}, expected ${issuer}.`);
  return view;
}
