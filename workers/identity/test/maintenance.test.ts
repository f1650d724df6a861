import { env, exports } from 'cloudflare:workers';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, createUser, waitForMessages } from './helpers.js';

describe('maintenance', () => {
  it('re-sends stranded outbox rows and deletes dead one-time tokens', async () => {
    const { id } = await createUser();
    const body = {
      kind: 'notification',
      idempotencyKey: 'ntf_stranded',
      to: id,
      template: 'identity.verify-email',
      category: 'security',
      data: {},
      createdAt: new Date().toISOString(),
    };
    await env.DB.batch([
      env.DB.prepare("INSERT INTO outbox (id, queue, body) VALUES ('obx_1', 'notifications', ?)").bind(
        JSON.stringify(body),
      ),
      env.DB.prepare(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ('dead', ?, 'verify_email', 'a@b.c', '2000-01-01T00:00:00.000Z')",
      ).bind(id),
      env.DB.prepare(
        "INSERT INTO email_tokens (token_hash, user_id, purpose, email, expires_at) VALUES ('live', ?, 'verify_email', 'a@b.c', '2999-01-01T00:00:00.000Z')",
      ).bind(id),
      env.DB.prepare(
        "INSERT INTO oauth_states (state_hash, provider, code_verifier, nonce, expires_at) VALUES ('s', 'google', 'v', 'n', '2000-01-01T00:00:00.000Z')",
      ),
    ]);
    const report = await exports.IdentityService.maintenance();
    expect(report).toEqual({ outboxRelayed: 1, emailTokensDeleted: 1, oauthStatesDeleted: 1 });
    await waitForMessages('onasis-notifications', (all) => all.some((m) => m.idempotencyKey === 'ntf_stranded'));
    expect(await env.DB.prepare('SELECT 1 FROM outbox').first()).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM email_tokens WHERE token_hash = 'live'").first()).not.toBeNull();
    expect(await exports.IdentityService.maintenance()).toEqual({
      outboxRelayed: 0,
      emailTokensDeleted: 0,
      oauthStatesDeleted: 0,
    });
  });
});

describe('signing-key rotation', () => {
  it('signs with the new key while tokens of the previous one still verify', async () => {
    const { email, password } = await createUser();
    const signIn = async () =>
      (await (await call('/auth/login', { json: { email, password } })).json<{ accessToken: string }>()).accessToken;
    const before = await signIn();
    const { kid } = await exports.IdentityService.rotateSigningKeys();
    const after = await signIn();
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    const jwks = createLocalJWKSet(await exports.IdentityService.jwks());
    for (const token of [before, after]) await expect(jwtVerify(token, jwks)).resolves.toBeTruthy();
    // A second rotation retires the first key: its tokens stop verifying.
    await exports.IdentityService.rotateSigningKeys();
    const later = createLocalJWKSet(await exports.IdentityService.jwks());
    await expect(jwtVerify(before, later)).rejects.toThrow();
    await expect(jwtVerify(after, later)).resolves.toBeTruthy();
  });
});
