import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/**
 * A local stand-in for Google's and Apple's key endpoints: real RSA keys, a real JWKS over
 * HTTP, and real signed ID tokens, so sign-in is verified exactly as in production.
 */
export async function startOidcServer() {
  const keys: Record<'google' | 'apple' | 'rogue', KeyPair & { kid: string }> = {
    google: { ...(await generateKeyPair('RS256')), kid: 'google-key-1' },
    apple: { ...(await generateKeyPair('RS256')), kid: 'apple-key-1' },
    rogue: { ...(await generateKeyPair('RS256')), kid: 'google-key-1' },
  };
  const jwk = async (k: KeyPair & { kid: string }): Promise<JWK> => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: 'RS256', use: 'sig' });
  const bodies = {
    '/google/certs': JSON.stringify({ keys: [await jwk(keys.google)] }),
    '/apple/keys': JSON.stringify({ keys: [await jwk(keys.apple)] }),
  } as Record<string, string>;
  const server: Server = createServer((req, res) => {
    const body = bodies[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const sign = (
    which: keyof typeof keys,
    claims: Record<string, unknown>,
    { issuer, audience, expiresIn = '10m', issuedAt }: { issuer: string; audience: string; expiresIn?: string | number; issuedAt?: number },
  ) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: keys[which].kid })
      .setIssuer(issuer)
      .setAudience(audience)
      .setExpirationTime(expiresIn);
    if (issuedAt !== undefined) jwt.setIssuedAt(issuedAt);
    else jwt.setIssuedAt();
    return jwt.sign(keys[which].privateKey);
  };

  return {
    env: {
      GOOGLE_CLIENT_IDS: 'google-client-1.apps.googleusercontent.com',
      GOOGLE_JWKS_URL: `${base}/google/certs`,
      APPLE_CLIENT_IDS: 'com.stagelives.app',
      APPLE_JWKS_URL: `${base}/apple/keys`,
    },
    googleToken: (
      claims: Record<string, unknown>,
      opts: Partial<{ audience: string; expiresIn: string | number; issuedAt: number; key: 'google' | 'rogue'; issuer: string }> = {},
    ) =>
      sign(opts.key ?? 'google', claims, {
        issuer: opts.issuer ?? 'https://accounts.google.com',
        audience: opts.audience ?? 'google-client-1.apps.googleusercontent.com',
        ...(opts.expiresIn !== undefined ? { expiresIn: opts.expiresIn } : {}),
        ...(opts.issuedAt !== undefined ? { issuedAt: opts.issuedAt } : {}),
      }),
    appleToken: (claims: Record<string, unknown>, opts: Partial<{ audience: string }> = {}) =>
      sign('apple', claims, { issuer: 'https://appleid.apple.com', audience: opts.audience ?? 'com.stagelives.app' }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
