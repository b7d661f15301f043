/**
 * Tokens on dispatched requests (https://cloud.google.com/tasks/docs/creating-http-target-tasks#token): an OIDC ID token that verifies the way handlers
 * verify Google's (jose via discovery + JWKS, google-auth-library via the PEM map) with Tasklight
 * as the issuer, and an opaque OAuth access token.
 */
import { OAuth2Client } from 'google-auth-library';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { PARENT } from '../helpers/tasklight';
import { type RecordedRequest } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

const SA = 'dispatcher@tasklight-test.iam.gserviceaccount.com';

describe('dispatch: OIDC and OAuth tokens', () => {
  const suite = useDispatchSuite({ settings: { liftLimits: false } });
  let queue: string;

  before(async () => {
    queue = `${PARENT}/queues/oidc`;
    await suite.tl.client('grpc').createQueue({ parent: PARENT, queue: { name: queue } });
  });

  async function deliver(path: string, httpRequest: Record<string, unknown>): Promise<RecordedRequest> {
    await suite.tl.client('grpc').createTask({ parent: queue, task: { httpRequest: { url: `${suite.h.url}${path}`, ...httpRequest } } });
    const [req] = await suite.h.waitForRequests(1, path.split('?')[0], 30_000);
    return req!;
  }

  function bearer(req: RecordedRequest): string {
    const auth = req.rawHeaders.Authorization ?? req.header('authorization');
    assert.ok(auth, 'no Authorization header');
    assert.match(auth, /^Bearer \S+$/);
    return auth.slice('Bearer '.length);
  }

  async function jwks() {
    const httpUrl = suite.tl.server.httpUrl;
    const res = await fetch(`${httpUrl}/.well-known/openid-configuration`);
    assert.equal(res.status, 200);
    const discovery = (await res.json()) as { issuer: string; jwks_uri: string; id_token_signing_alg_values_supported: string[] };
    assert.equal(discovery.issuer, httpUrl);
    assert.deepEqual(discovery.id_token_signing_alg_values_supported, ['RS256']);
    return createRemoteJWKSet(new URL(discovery.jwks_uri));
  }

  test('signs an RS256 ID token that verifies through discovery + JWKS, audience = the task URL', async () => {
    const url = `${suite.h.url}/oidc/default-audience?x=1`;
    const req = await deliver('/oidc/default-audience?x=1', {
      oidcToken: { serviceAccountEmail: SA },
      headers: { Authorization: 'Bearer from-the-caller' },
    });
    const token = bearer(req);
    assert.notEqual(token, 'from-the-caller', "the token replaces the caller's Authorization");
    const header = decodeProtectedHeader(token);
    assert.equal(header.alg, 'RS256');
    assert.equal(header.typ, 'JWT');
    assert.ok(header.kid, 'kid is set');
    const { payload } = await jwtVerify(token, await jwks(), { issuer: suite.tl.server.httpUrl, audience: url, algorithms: ['RS256'] });
    assert.equal(payload.aud, url, 'the default audience is the URL including its query');
    assert.equal(payload.email, SA);
    assert.equal(payload.email_verified, true);
    assert.match(String(payload.sub), /^\d{21}$/);
    assert.equal(payload.azp, payload.sub);
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 60, 'iat is now');
  });

  test('uses the explicit audience when the task sets one, and the token fails against any other', async () => {
    const req = await deliver('/oidc/explicit', { oidcToken: { serviceAccountEmail: SA, audience: 'https://my-service.example.com' } });
    const token = bearer(req);
    const keys = await jwks();
    const { payload } = await jwtVerify(token, keys, { issuer: suite.tl.server.httpUrl, audience: 'https://my-service.example.com' });
    assert.equal(payload.aud, 'https://my-service.example.com');
    await assert.rejects(jwtVerify(token, keys, { issuer: suite.tl.server.httpUrl, audience: `${suite.h.url}/oidc/explicit` }), /aud/);
    // A token whose payload was tampered with does not verify.
    const [head, body, sig] = token.split('.');
    const forged = JSON.parse(Buffer.from(body!, 'base64url').toString());
    forged.email = 'attacker@example.com';
    await assert.rejects(jwtVerify(`${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${sig}`, keys));
  });

  test('verifies with google-auth-library pointed at Tasklight\'s PEM certs and issuer', async () => {
    const url = `${suite.h.url}/oidc/google-auth`;
    const req = await deliver('/oidc/google-auth', { oidcToken: { serviceAccountEmail: SA } });
    const client = new OAuth2Client({
      endpoints: { oauth2FederatedSignonPemCertsUrl: `${suite.tl.server.httpUrl}/oauth2/v1/certs` },
      issuers: [suite.tl.server.httpUrl],
    });
    const ticket = await client.verifyIdToken({ idToken: bearer(req), audience: url });
    const payload = ticket.getPayload()!;
    assert.equal(payload.email, SA);
    assert.equal(payload.iss, suite.tl.server.httpUrl);
    assert.equal(payload.aud, url);
    await assert.rejects(client.verifyIdToken({ idToken: bearer(req), audience: 'https://someone-else.example' }));
  });

  test('sends an opaque OAuth access token Bearer ya29.tasklight.*', async () => {
    const req = await deliver('/oidc/oauth', {
      oauthToken: { serviceAccountEmail: SA },
      headers: { Authorization: 'Bearer from-the-caller' },
    });
    assert.match(req.rawHeaders.Authorization ?? req.header('authorization') ?? '', /^Bearer ya29\.tasklight\.[\w-]+$/);
    assert.equal(req.headerNames.filter((k) => k.toLowerCase() === 'authorization').length, 1);
  });
});
