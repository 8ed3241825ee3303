import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { ServiceUnavailableError, UnauthenticatedError } from '@stagelives/schema';

export interface OidcProviderOptions {
  name: string;
  jwksUrl: string;
  issuers: string[];
  audiences: string[];
}

export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

const truthy = (v: unknown) => v === true || v === 'true';

/** Verifies a provider's ID token: signature against its JWKS, issuer, audience and expiry. */
export class OidcVerifier {
  private readonly jwks;

  constructor(private readonly options: OidcProviderOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000 });
  }

  get enabled(): boolean {
    return this.options.audiences.length > 0;
  }

  async verify(token: string): Promise<VerifiedIdentity> {
    if (!this.enabled) throw new ServiceUnavailableError(`${this.options.name} sign-in is not configured.`);
    if (token.length > 8192) throw new UnauthenticatedError(`The ${this.options.name} token is not valid.`);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.options.issuers,
        audience: this.options.audiences,
        algorithms: ['RS256', 'ES256'],
        clockTolerance: 30,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code === 'ERR_JWKS_TIMEOUT' || (code === 'ERR_JOSE_GENERIC' && /fetch|network/i.test(String(error)))) {
        throw new ServiceUnavailableError(`${this.options.name} sign-in is temporarily unavailable.`);
      }
      const reason = code === 'ERR_JWT_EXPIRED' ? 'has expired' : 'is not valid';
      throw new UnauthenticatedError(`The ${this.options.name} token ${reason}.`);
    }
    return {
      subject: String(payload.sub),
      email: typeof payload.email === 'string' ? payload.email : null,
      emailVerified: truthy(payload.email_verified),
      name: typeof payload.name === 'string' ? payload.name : null,
    };
  }
}
