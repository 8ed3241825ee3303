import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok, signUp, startStack, type Stack } from '../support/harness.js';
import { lastMail, linkToken, mailsTo } from '../support/mail.js';
import { restClient, sessionCookieOf } from './client.js';

/** The REST paths of account recovery and verification, with plain fetch, on a stack that requires verified emails. */

let stack: Stack;
let call: ReturnType<typeof restClient>;
beforeAll(async () => {
  stack = await startStack({ REQUIRE_VERIFIED_EMAIL: 'true' });
  call = restClient(stack.baseUrl);
});
afterAll(() => stack?.close());

describe('POST /auth/password/forgot and /auth/password/reset', () => {
  it('should answer 200 true for any address, mail the link, and reset once with it', async () => {
    const fan = await signUp(stack);
    const nobody = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    for (const email of [fan.email, nobody]) {
      const res = await call('POST', '/auth/password/forgot', { body: { email } });
      expect({ status: res.status, body: res.json }).toEqual({ status: 200, body: { data: true } });
    }
    const token = linkToken(await lastMail(fan.email, /Reset your password/), 'reset-password');
    expect(await mailsTo(nobody)).toEqual([]);

    const bad = await call('POST', '/auth/password/reset', { body: { token, newPassword: 'short' } });
    expect({ status: bad.status, code: bad.json.error.code, field: bad.json.error.field }).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'newPassword',
    });
    const done = await call('POST', '/auth/password/reset', { body: { token, newPassword: 'a brand new passphrase' }, token: fan.token });
    expect({ status: done.status, body: done.json }).toEqual({ status: 200, body: { data: true } });
    // The request's own session was one of the account's: it ended, and the cookie is cleared.
    expect(sessionCookieOf(done)).toBe('sl_session=');
    expect((await call('GET', '/auth/me', { token: fan.token })).status).toBe(401);
    const again = await call('POST', '/auth/password/reset', { body: { token, newPassword: 'a brand new passphrase' } });
    expect({ status: again.status, code: again.json.error.code, field: again.json.error.field }).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'token',
    });
    const login = await call('POST', '/auth/login', { body: { email: fan.email, password: 'a brand new passphrase' } });
    expect(login.status).toBe(200);

    const malformed = await call('POST', '/auth/password/forgot', { body: { email: 'not an email' } });
    expect({ status: malformed.status, code: malformed.json.error.code, field: malformed.json.error.field }).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
      field: 'email',
    });
    expect((await call('POST', '/auth/password/forgot', { body: {} })).status).toBe(400);
  });
});

describe('POST /auth/email/verify', () => {
  it('should verify with the mailed token (200, then 400), and lift EMAIL_NOT_VERIFIED (403) on posting', async () => {
    const host = await signUp(stack);
    const hostToken = linkToken(await lastMail(host.email, /Verify your email address/), 'verify-email');
    expect((await call('POST', '/auth/email/verify', { body: { token: hostToken } })).status).toBe(200);
    const room = await ok(
      stack,
      'mutation($input: CreateChatRoomInput!) { createChatRoom(input: $input) { id } }',
      { input: { name: 'rest room' } },
      { token: host.token },
    );
    const roomId = room.createChatRoom.id as string;

    const fan = await signUp(stack);
    expect((await call('POST', `/chat/rooms/${roomId}/join`, { token: fan.token })).status).toBe(200);
    const refused = await call('POST', `/chat/rooms/${roomId}/messages`, { token: fan.token, body: { body: 'hello' } });
    expect({ status: refused.status, code: refused.json.error.code }).toEqual({ status: 403, code: 'EMAIL_NOT_VERIFIED' });
    const article = await call('POST', '/article', { token: fan.token, body: { title: 't', body: 'b' } });
    expect({ status: article.status, code: article.json.error.code }).toEqual({ status: 403, code: 'EMAIL_NOT_VERIFIED' });

    const token = linkToken(await lastMail(fan.email, /Verify your email address/), 'verify-email');
    const verified = await call('POST', '/auth/email/verify', { body: { token } });
    expect({ status: verified.status, body: verified.json }).toEqual({ status: 200, body: { data: { id: fan.user.id, emailVerified: true } } });
    const used = await call('POST', '/auth/email/verify', { body: { token } });
    expect({ status: used.status, code: used.json.error.code, field: used.json.error.field }).toEqual({ status: 400, code: 'BAD_USER_INPUT', field: 'token' });

    const sent = await call('POST', `/chat/rooms/${roomId}/messages`, { token: fan.token, body: { body: 'hello' } });
    expect({ status: sent.status, body: sent.json.data.body }).toEqual({ status: 201, body: 'hello' });
  });
});
