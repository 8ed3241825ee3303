import { generateKeyPairSync } from 'node:crypto';
import type { MulticastMessage } from 'firebase-admin/messaging';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '@stagelives/platform';
import { startLocalFcmServer, type LocalFcmServer } from '@stagelives/devkit';
import { classifyPushError, createPushSender, loadPushConfig, localFcmEnv, parseRetryAfter, type PushFailed, type PushSender } from '../src/push/index.js';

const failed = (r: unknown) => r as PushFailed;

describe('push transport: the real firebase-admin client against the local FCM server', () => {
  let server: LocalFcmServer;
  let sender: PushSender;
  beforeAll(async () => {
    server = await startLocalFcmServer();
    sender = createPushSender({ mode: 'local', fcm: server.info });
  });
  afterAll(async () => {
    await sender?.close();
    await server?.close();
  });
  beforeEach(() => server.reset());

  it('should deliver a push with its title, body, data and the reminder id as data and collapse keys', async () => {
    const results = await sender.send({
      reminderId: 'rem-1',
      tokens: ['device-a'],
      title: 'Doors open',
      body: 'The show starts at 20:00',
      data: { concertId: 'c-9' },
    });
    expect(results).toEqual([{ token: 'device-a', ok: true, messageId: expect.stringMatching(/^projects\/stagelives-local\/messages\/.+/) }]);
    expect(server.pushes).toHaveLength(1);
    const push = server.pushes[0]!;
    expect(push).toMatchObject({
      token: 'device-a',
      title: 'Doors open',
      body: 'The show starts at 20:00',
      reminderId: 'rem-1',
      data: { concertId: 'c-9', reminderId: 'rem-1' },
      collapseKey: 'rem-1',
      apnsCollapseId: 'rem-1',
      webpushTopic: 'rem-1',
      name: results[0]!.ok ? results[0]!.messageId : '',
    });
    expect(push.message).toMatchObject({ android: { notification: { tag: 'rem-1' } } });

    // A repeat is recognisable by (reminderId, token).
    await sender.send({ reminderId: 'rem-1', tokens: ['device-a'], title: 'Doors open', body: 'again' });
    expect(server.countsBy('rem-1', 'device-a')).toBe(2);
    expect(server.countsBy('rem-2', 'device-a')).toBe(0);
  });

  it('should classify UNREGISTERED and invalid tokens for removal, send the others, and answer once per distinct token in order', async () => {
    const results = await sender.send({ reminderId: 'rem-2', tokens: ['ok-1', 'unregistered-old', 'invalid-garbage', 'ok-2', 'ok-1'], title: 't', body: 'b' });
    expect(results.map((r) => r.token)).toEqual(['ok-1', 'unregistered-old', 'invalid-garbage', 'ok-2']);
    expect(results.map((r) => (r.ok ? 'ok' : r.kind))).toEqual(['ok', 'unregistered', 'invalid', 'ok']);
    expect(failed(results[1]).error).toEqual({ code: 'messaging/registration-token-not-registered', message: 'Requested entity was not found.' });
    expect(failed(results[2]).error.code).toBe('messaging/invalid-argument');
    expect(server.pushes.map((p) => p.token).sort()).toEqual(['ok-1', 'ok-2']);
  });

  it('should report a 429 QUOTA_EXCEEDED as transient with its Retry-After (firebase-admin does not retry it)', async () => {
    server.failNext(1, { status: 429, retryAfterSeconds: 30 });
    const [result] = await sender.send({ reminderId: 'rem-3', tokens: ['device-a'], title: 't', body: 'b' });
    expect(result).toMatchObject({ ok: false, kind: 'transient', retryAfterSeconds: 30, error: { code: 'messaging/message-rate-exceeded' } });
    expect(server.stats.sendRequests).toBe(1);
    expect(server.pushes).toHaveLength(0);
  });

  it('should report a 503 UNAVAILABLE as transient with its Retry-After when firebase-admin does not wait for it (> 60 s)', async () => {
    server.failNext(1, { status: 503, retryAfterSeconds: 120 });
    const [result] = await sender.send({ reminderId: 'rem-4', tokens: ['device-a'], title: 't', body: 'b' });
    expect(result).toMatchObject({ ok: false, kind: 'transient', retryAfterSeconds: 120, error: { code: 'messaging/server-unavailable' } });
    expect(server.stats.sendRequests).toBe(1);
  });

  it('should let firebase-admin retry a 503 with a short Retry-After itself, and deliver', async () => {
    server.failNext(2, { status: 503, retryAfterSeconds: 1 });
    const started = Date.now();
    const [result] = await sender.send({ reminderId: 'rem-5', tokens: ['device-a'], title: 't', body: 'b' });
    expect(result).toMatchObject({ ok: true });
    expect(server.stats.sendRequests).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(server.countsBy('rem-5', 'device-a')).toBe(1);
  });

  it('should report a 500 INTERNAL as transient, without a Retry-After when none was sent', async () => {
    server.failNext(1, { status: 500 });
    const [result] = await sender.send({ reminderId: 'rem-6', tokens: ['device-a'], title: 't', body: 'b' });
    expect(result).toMatchObject({ ok: false, kind: 'transient', error: { code: 'messaging/internal-error' } });
    expect(failed(result).retryAfterSeconds).toBeUndefined();
  });

  it('should send 1,000 tokens in sendEachForMulticast calls of at most 500', async () => {
    const spy = vi.spyOn(sender.messaging, 'sendEachForMulticast');
    try {
      const tokens = Array.from({ length: 1000 }, (_, i) => `bulk-${i}`);
      const results = await sender.send({ reminderId: 'rem-7', tokens, title: 'Bulk', body: 'b' });
      // firebase-admin 14 overloads sendEachForMulticast (registration tokens, or FIDs); the spy types the last one.
      expect(spy.mock.calls.map(([message]) => (message as MulticastMessage).tokens.length)).toEqual([500, 500]);
      expect(results).toHaveLength(1000);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(new Set(results.map((r) => (r.ok ? r.messageId : ''))).size).toBe(1000);
      expect(server.stats.accepted).toBe(1000);
      expect(tokens.every((t) => server.countsBy('rem-7', t) === 1)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('should be refused by the server with an access token it did not issue', async () => {
    const forged = createPushSender({
      mode: 'local',
      fcm: server.info,
      credential: { getAccessToken: async () => ({ access_token: 'ya29.forged', expires_in: 3600 }) },
    });
    try {
      const [result] = await forged.send({ reminderId: 'rem-8', tokens: ['device-a'], title: 't', body: 'b' });
      // FCM's 401 UNAUTHENTICATED is what firebase-admin calls a third-party auth error.
      expect(result).toMatchObject({ ok: false, kind: 'permanent', error: { code: 'messaging/third-party-auth-error' } });
      expect(server.stats.unauthenticated).toBe(1);
      expect(server.pushes).toHaveLength(0);
    } finally {
      await forged.close();
    }
  });

  it('should sign in through the JWT-bearer exchange: one token reused, a revoked one refused, a key the server does not know gets none', async () => {
    const own = await startLocalFcmServer(); // revoking tokens here must not touch the shared sender's
    const fresh = createPushSender({ mode: 'local', fcm: own.info });
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const impostor = createPushSender({ mode: 'local', fcm: { ...own.info, serviceAccount: { ...own.info.serviceAccount, private_key: otherKey } } });
    try {
      for (const token of ['device-a', 'device-b']) {
        expect((await fresh.send({ reminderId: 'rem-9', tokens: [token], title: 't', body: 'b' }))[0]).toMatchObject({ ok: true });
      }
      expect(own.stats.tokensIssued).toBe(1);

      own.revokeAccessTokens(); // firebase-admin keeps using its cached token until it nears expiry
      const [afterRevoke] = await fresh.send({ reminderId: 'rem-9', tokens: ['device-c'], title: 't', body: 'b' });
      expect(afterRevoke).toMatchObject({ ok: false, kind: 'permanent', error: { code: 'messaging/third-party-auth-error' } });

      const [refused] = await impostor.send({ reminderId: 'rem-9', tokens: ['device-d'], title: 't', body: 'b' });
      expect(refused).toMatchObject({
        ok: false,
        kind: 'permanent',
        error: { code: 'app/invalid-credential', message: expect.stringContaining('invalid_grant') },
      });
      expect(own.stats.tokensRefused).toBeGreaterThanOrEqual(1);
      expect(own.stats.unauthenticated).toBe(1);
      expect(own.pushes.map((p) => p.token)).toEqual(['device-a', 'device-b']);
    } finally {
      await fresh.close();
      await impostor.close();
      await own.close();
    }
  });
});

describe(classifyPushError.name, () => {
  it.each([
    ['messaging/registration-token-not-registered', 'Requested entity was not found.', 'unregistered'],
    ['messaging/invalid-registration-token', '', 'invalid'],
    ['messaging/invalid-argument', 'The registration token is not a valid FCM registration token', 'invalid'],
    ['messaging/invalid-argument', 'Invalid value at message.android.ttl', 'permanent'],
    ['messaging/message-rate-exceeded', '', 'transient'],
    ['messaging/server-unavailable', '', 'transient'],
    ['messaging/internal-error', '', 'transient'],
    ['app/network-timeout', '', 'transient'],
    ['messaging/unknown-error', 'Raw server response: "<html>". Status code: 502.', 'transient'],
    ['messaging/unknown-error', 'Status code: 418.', 'permanent'],
    ['app/invalid-credential', 'failed … "invalid_grant: Invalid JWT Signature."', 'permanent'],
    ['app/invalid-credential', 'failed … "request to https://oauth2.googleapis.com/token failed, reason: ECONNREFUSED"', 'transient'],
    ['messaging/mismatched-credential', '', 'permanent'],
    ['messaging/third-party-auth-error', '', 'permanent'],
  ] as const)('%s (%s) → %s', (code, message, kind) => {
    expect(classifyPushError(code, message)).toBe(kind);
  });

  it('should parse Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('17')).toBe(17);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe(loadPushConfig.name, () => {
  const account = { type: 'service_account', project_id: 'stagelives-prod', client_email: 'push@stagelives-prod.iam.gserviceaccount.com', private_key: 'k' };

  it('should choose Firebase when FIREBASE_SERVICE_ACCOUNT is set, and validate it', () => {
    expect(loadPushConfig({ FIREBASE_SERVICE_ACCOUNT: JSON.stringify(account) })).toMatchObject({ mode: 'firebase', serviceAccount: account, maxSockets: 64 });
    expect(() => loadPushConfig({ FIREBASE_SERVICE_ACCOUNT: '{not json' })).toThrow(ConfigError);
    expect(() => loadPushConfig({ FIREBASE_SERVICE_ACCOUNT: '{"project_id":"p"}' })).toThrow(/lacks client_email, private_key/);
    expect(() => loadPushConfig({ GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/key.json' })).toThrow(/no file/);
  });

  it('should choose the local server without Firebase credentials, and refuse to start with nothing configured', async () => {
    const server = await startLocalFcmServer({ projectId: 'local-proj' });
    try {
      const config = loadPushConfig({ FIREBASE_SERVICE_ACCOUNT: '', ...localFcmEnv(server.info) });
      expect(config).toEqual({ mode: 'local', fcm: server.info, maxSockets: 64 });
    } finally {
      await server.close();
    }
    expect(() => loadPushConfig({})).toThrow(/FIREBASE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS/);
  });
});
