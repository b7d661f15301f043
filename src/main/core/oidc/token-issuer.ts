import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../clock';
import type { SigningKey } from './signing-key';

/** A stable 21-digit numeric id for a service account, like Google's unique ids. */
export function serviceAccountId(email: string): string {
  const digest = createHash('sha256').update(email).digest();
  const n = digest.readBigUInt64BE(0) * 1000n + BigInt(digest.readUInt16BE(8) % 1000);
  return ('1' + n.toString().padStart(20, '0')).slice(0, 21);
}

/**
 * Mints the tokens a dispatched request carries: OIDC ID tokens signed with Tasklight's key
 * (claims as Google's service-account ID tokens: iss accounts.google.com, aud, email,
 * email_verified, sub, iat, exp one hour later; see
 * https://cloud.google.com/tasks/docs/creating-http-target-tasks#token), and fake OAuth access tokens.
 */
export class TokenIssuer {
  /** Set once the HTTP port is known; tokens name it as their issuer. */
  issuer = 'http://127.0.0.1:8124';

  constructor(
    readonly key: SigningKey,
    private readonly clock: Clock,
  ) {}

  async idToken(serviceAccountEmail: string, audience: string): Promise<string> {
    const iat = Math.floor(this.clock.nowUs() / 1e6);
    const id = serviceAccountId(serviceAccountEmail);
    return new SignJWT({ email: serviceAccountEmail, email_verified: true, azp: id })
      .setProtectedHeader({ alg: 'RS256', kid: this.key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setSubject(id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .sign(this.key.privateKey);
  }

  accessToken(): string {
    return `ya29.tasklight.${randomBytes(24).toString('base64url')}`;
  }

  discoveryDocument(): object {
    return {
      issuer: this.issuer,
      jwks_uri: `${this.issuer}/oauth2/v3/certs`,
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['aud', 'azp', 'email', 'email_verified', 'exp', 'iat', 'iss', 'sub'],
    };
  }

  jwks(): object {
    return { keys: [this.key.publicJwk] };
  }

  pemCerts(): object {
    return { [this.key.kid]: this.key.publicPem };
  }
}
