import { env, exports } from 'cloudflare:workers';
import type { JobOutcome } from '@onasis/contracts';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { forgetSigningKey } from '../src/services/tokens.js';
import { call, createUser, principalFor, waitForMessages } from './helpers.js';

/** One attempt of the `identity.maintenance` job, as the jobs Worker's schedule runs it. */
async function runMaintenanceJob(): Promise<JobOutcome> {
  // The RPC stub's type loses the success branch (its `data` is a free-form record); the value is a JobOutcome.
  return (await exports.IdentityService.runJob({
    id: `job_${crypto.randomUUID()}`,
    type: 'identity.maintenance',
    payload: {},
    attempt: 1,
    maxAttempts: 5,
    scheduledFor: new Date().toISOString(),
  })) as unknown as JobOutcome;
}

/** The key set identity publishes, as the gateway reads it over RPC. */
async function published(): Promise<{ keys: JWK[] }> {
  const answer = await exports.IdentityService.jwks();
  if (!answer.ok) throw new Error(`jwks refused: ${answer.error.code}`);
  return answer.data as { keys: JWK[] };
}

/** A signing-key rotation through the RPC; its new kid. */
async function rotate(): Promise<{ kid: string }> {
  const answer = await exports.IdentityService.rotateSigningKeys();
  if (!answer.ok) throw new Error(`rotation refused: ${answer.error.code}`);
  return answer.data;
}

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
    expect(await runMaintenanceJob()).toMatchObject({
      ok: true,
      data: { outboxRelayed: 1, emailTokensDeleted: 1, oauthStatesDeleted: 1, auditEntriesPending: 0 },
    });
    await waitForMessages('onasis-notifications', (all) => all.some((m) => m.idempotencyKey === 'ntf_stranded'));
    expect(await env.DB.prepare('SELECT 1 FROM outbox').first()).toBeNull();
    expect(await env.DB.prepare("SELECT 1 FROM email_tokens WHERE token_hash = 'live'").first()).not.toBeNull();
    expect(await runMaintenanceJob()).toMatchObject({
      ok: true,
      data: { outboxRelayed: 0, emailTokensDeleted: 0, oauthStatesDeleted: 0, auditEntriesArchived: 0 },
    });
  });
});

describe('signing-key rotation', () => {
  const age = (kid: string, ms: number) =>
    env.DB.prepare('UPDATE signing_keys SET created_at = ? WHERE kid = ?')
      .bind(new Date(Date.now() - ms).toISOString(), kid)
      .run();

  it('publishes a new key ten minutes before signing with it, and keeps the previous one verifiable', async () => {
    const { email, password } = await createUser();
    const signIn = async () =>
      (await (await call('/auth/login', { json: { email, password } })).json<{ accessToken: string }>()).accessToken;
    const before = await signIn();
    const oldKid = String(decodeProtectedHeader(before).kid);
    await age(oldKid, 60 * 60_000);
    const { kid } = await rotate();
    expect((await published()).keys.map((k) => k.kid)).toContain(kid);
    // Published but too new: verifiers may not have it yet, so the previous key still signs.
    expect(decodeProtectedHeader(await signIn()).kid).toBe(oldKid);
    await age(kid, 11 * 60_000);
    // An isolate keeps the key it loaded for a few minutes; a fresh one would load the new key.
    forgetSigningKey();
    const after = await signIn();
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    const jwks = createLocalJWKSet(await published());
    for (const token of [before, after]) await expect(jwtVerify(token, jwks)).resolves.toBeTruthy();
    // A second rotation retires the first key: its tokens stop verifying.
    await rotate();
    const later = createLocalJWKSet(await published());
    await expect(jwtVerify(before, later)).rejects.toThrow();
    await expect(jwtVerify(after, later)).resolves.toBeTruthy();
  });
});

describe('outbox when the queue is down', () => {
  it('keeps the row and counts the attempt, so the maintenance run sends it later', async () => {
    const { dispatchOutbox, securityNotice } = await import('../src/services/outbox.js');
    const { id } = await createUser();
    const notice = securityNotice(env.DB, { to: id, template: 'identity.mfa-changed', data: { change: 'enabled' } });
    await notice.statement.run();
    const down = {
      ...env,
      NOTIFICATIONS_QUEUE: { send: () => Promise.reject(new Error('queue unavailable')) },
    } as unknown as IdentityEnv;
    await dispatchOutbox(down, [notice]);
    const row = await env.DB.prepare('SELECT attempts FROM outbox WHERE id = ?')
      .bind(notice.id)
      .first<{ attempts: number }>();
    expect(row?.attempts).toBe(1);
    const report = await runMaintenanceJob();
    if (!report.ok) throw new Error(`maintenance failed: ${report.error.code}`);
    expect(report.data?.outboxRelayed).toBeGreaterThanOrEqual(1);
    await waitForMessages('onasis-notifications', (all) =>
      all.some((m) => m.idempotencyKey === (notice.body as { idempotencyKey: string }).idempotencyKey),
    );
    expect(await env.DB.prepare('SELECT 1 FROM outbox WHERE id = ?').bind(notice.id).first()).toBeNull();
  });
});

describe('jobs and contacts for other services', () => {
  it('runs maintenance as a job and refuses job types it does not own', async () => {
    const run = { id: 'job_1', payload: {}, attempt: 1, maxAttempts: 5, scheduledFor: new Date().toISOString() };
    const done = await exports.IdentityService.runJob({ ...run, type: 'identity.maintenance' });
    expect(done).toMatchObject({ ok: true, data: { outboxRelayed: expect.any(Number) } });
    const refused = await exports.IdentityService.runJob({ ...run, type: 'notifications.maintenance' });
    expect(refused).toMatchObject({ ok: false, retryable: false, error: { code: 'BAD_REQUEST' } });
    // A run another Worker got wrong is never worth retrying.
    const malformed = await exports.IdentityService.runJob({ ...run, attempt: 0, type: 'identity.maintenance' });
    expect(malformed).toMatchObject({ ok: false, retryable: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('answers whether a session is live, and refuses ids it cannot read', async () => {
    const { id, email, password } = await createUser();
    const login = await call('/auth/login', { json: { email, password } });
    const { accessToken } = await login.json<{ accessToken: string }>();
    const sid = String(decodeJwt(accessToken).sid);
    expect(await exports.IdentityService.sessionStatus(id, sid)).toEqual({ ok: true, data: { active: true } });
    await call('/auth/logout', { method: 'POST' }, { principal: await principalFor(id, sid) });
    expect(await exports.IdentityService.sessionStatus(id, sid)).toEqual({ ok: true, data: { active: false } });
    for (const [userId, sessionId] of [
      ['', sid],
      [id, ''],
      [id, 'x'.repeat(65)],
      [42, sid],
    ]) {
      expect(await exports.IdentityService.sessionStatus(userId as string, sessionId as string)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
  });

  it('answers where to reach an active user, and nothing for a disabled or unknown one', async () => {
    const { id, email } = await createUser();
    expect(await exports.IdentityService.contactOf(id)).toEqual({
      ok: true,
      data: { userId: id, email, emailVerified: true, locale: null, name: null },
    });
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(id).run();
    const nobody = { ok: false, error: { code: 'NOT_FOUND' } };
    expect(await exports.IdentityService.contactOf(id)).toEqual(nobody);
    expect(await exports.IdentityService.contactOf('usr_nobody')).toEqual(nobody);
    expect(await exports.IdentityService.contactOf('')).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
  });
});
