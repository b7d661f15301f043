import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: { kty: string; n: string; e: string; alg: 'RS256'; use: 'sig'; kid: string };
  publicPem: string;
}

export const KEY_FILE = 'oidc-signing-key.pem';

function fromPrivatePem(pem: string): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string };
  // A stable kid: the key's own SHA-256 fingerprint, so restarts keep verifying old tokens.
  const kid = createHash('sha256').update(`${jwk.e}.${jwk.n}`).digest('hex').slice(0, 40);
  return {
    kid,
    privateKey,
    publicJwk: { kty: jwk.kty, n: jwk.n, e: jwk.e, alg: 'RS256', use: 'sig', kid },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** The RS256 key Tasklight signs OIDC tokens with: generated once, kept owner-readable only. */
export function loadOrCreateSigningKey(dataDir: string | null): SigningKey {
  const generate = () =>
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  if (!dataDir) return fromPrivatePem(generate());
  const file = path.join(dataDir, KEY_FILE);
  if (fs.existsSync(file)) {
    fs.chmodSync(file, 0o600); // an older Tasklight's key may be readable by others
    return fromPrivatePem(fs.readFileSync(file, 'utf8'));
  }
  const pem = generate();
  fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600);
  return fromPrivatePem(pem);
}
