import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { Secret, TOTP, URI } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { sealingKey, sha256Hex, unseal } from '../src/services/crypto.js';
import { networkOf } from '../src/services/device.js';
import { verifySecondFactor } from '../src/services/second-factor.js';
import { sessionsOf } from '../src/services/sessions.js';
import { matchTotpStep, otpauthUri } from '../src/services/totp.js';
import { findUserById } from '../src/services/users.js';
import { call, createUser, principalFor, waitForMessages } from './helpers.js';

type Tokens = { accessToken: string; refreshToken: string; tokenType: string; expiresIn: number };

const PERIOD_MS = 30_000;
const currentStep = () => Math.floor(Date.now() / PERIOD_MS);

/** The code of `secret` for time step `step`, as an authenticator app would show it then. */
function codeAt(secret: string, step: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: step * PERIOD_MS });
}

/** A code for the step after the current one: inside the ±1 window, and newer than any code used so far. */
const nextCode = (secret: string) => codeAt(secret, currentStep() + 1);

/** A 6-digit code that is none of the accepted codes of `secret` right now. */
function wrongCode(secret: string): string {
  const step = currentStep();
  const taken = new Set([-2, -1, 0, 1, 2].map((d) => codeAt(secret, step + d)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!taken.has(candidate)) return candidate;
  }
}

async function enroll(principal: Principal) {
  const res = await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal });
  expect(res.status).toBe(200);
  return res.json<{ secret: string; otpauthUri: string }>();
}

function confirm(principal: Principal, code: string) {
  return call('/auth/mfa/totp/confirm', { json: { code } }, { principal });
}

/** A user who enrolled and confirmed TOTP through the routes; `firstCode` is the (spent) confirming code. */
async function userWithMfa() {
  const user = await createUser();
  const principal = await principalFor(user.id);
  const { secret } = await enroll(principal);
  const firstCode = codeAt(secret, currentStep());
  const res = await confirm(principal, firstCode);
  expect(res.status).toBe(200);
  const { recoveryCodes } = await res.json<{ recoveryCodes: string[] }>();
  return { ...user, principal, secret, firstCode, recoveryCodes };
}

/** The token a sign-in with a correct password answers when the account has MFA. */
async function challenge(userId: string): Promise<string> {
  return `${userId}.${await sessionsOf(env, userId).createMfaChallenge('password')}`;
}

function verify(mfaToken: string, code: string, headers: Record<string, string> = {}) {
  return call('/auth/mfa/verify', { json: { mfaToken, code }, headers });
}

async function auditActions(userId: string): Promise<Array<{ action: string; outcome: string }>> {
  const { results } = await env.DB.prepare('SELECT action, outcome FROM audit_logs WHERE target_id = ? ORDER BY seq')
    .bind(userId)
    .all<{ action: string; outcome: string }>();
  return results;
}

async function mfaNotices(userId: string, count: number) {
  const messages = await waitForMessages(
    'onasis-notifications',
    (all) => all.filter((m) => m.to === userId && m.template === 'identity.mfa-changed').length >= count,
  );
  return messages.filter((m) => m.to === userId && m.template === 'identity.mfa-changed') as Array<{
    category: string;
    data: { change: string; remainingRecoveryCodes?: number };
  }>;
}

describe('TOTP codes', () => {
  // RFC 6238 appendix B, SHA-1: the ASCII secret "12345678901234567890", last 6 of the 8 digits.
  const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

  it('match the RFC 6238 test vectors and return their time step', () => {
    expect(matchTotpStep(rfcSecret, '287082', 59_000)).toBe(1);
    expect(matchTotpStep(rfcSecret, '081804', 1_111_111_109_000)).toBe(37_037_036);
    expect(matchTotpStep(rfcSecret, '050471', 1_111_111_111_000)).toBe(37_037_037);
    expect(matchTotpStep(rfcSecret, '005924', 1_234_567_890_000)).toBe(41_152_263);
  });

  it('are accepted one step either side of now, not two', () => {
    const now = 1_700_000_000_000;
    const step = Math.floor(now / PERIOD_MS);
    for (const delta of [-1, 0, 1])
      expect(matchTotpStep(rfcSecret, codeAt(rfcSecret, step + delta), now)).toBe(step + delta);
    for (const delta of [-2, 2]) expect(matchTotpStep(rfcSecret, codeAt(rfcSecret, step + delta), now)).toBeNull();
  });

  it('tolerate the space apps show in the middle and refuse anything but six digits', () => {
    const code = codeAt(rfcSecret, 1);
    expect(matchTotpStep(rfcSecret, `${code.slice(0, 3)} ${code.slice(3)}`, 59_000)).toBe(1);
    expect(matchTotpStep(rfcSecret, `${code}0`, 59_000)).toBeNull();
    expect(matchTotpStep(rfcSecret, 'abcdef', 59_000)).toBeNull();
  });

  it('put the issuer in the otpauth URI label and parameters', () => {
    expect(otpauthUri(rfcSecret, 'ada@example.com')).toBe(
      `otpauth://totp/Onasis:ada%40example.com?issuer=Onasis&secret=${rfcSecret}&algorithm=SHA1&digits=6&period=30`,
    );
  });
});

describe('POST /auth/mfa/totp/enroll', () => {
  it('returns a secret and an otpauth URI for an authenticator app', async () => {
    const { id, email } = await createUser();
    const res = await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal: await principalFor(id) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { secret, otpauthUri } = await res.json<{ secret: string; otpauthUri: string }>();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const totp = URI.parse(otpauthUri);
    expect(totp).toBeInstanceOf(TOTP);
    expect(totp).toMatchObject({ issuer: 'Onasis', label: email, algorithm: 'SHA1', digits: 6, period: 30 });
    expect(totp.secret.base32).toBe(secret);
    // Enrolled but not confirmed: sign-in does not ask for a code yet.
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(false);
  });

  it('stores the secret sealed under the MFA key, bound to the user', async () => {
    const { id } = await createUser();
    const { secret } = await enroll(await principalFor(id));
    const row = await env.DB.prepare('SELECT * FROM mfa_factors WHERE user_id = ?').bind(id).first<{
      secret_encrypted: string;
      confirmed_at: string | null;
    }>();
    expect(row?.confirmed_at).toBeNull();
    expect(row?.secret_encrypted).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(JSON.stringify(row)).not.toContain(secret);
    const key = await sealingKey(env.KEY_ENCRYPTION_KEY, 'onasis/mfa');
    expect(await unseal(row?.secret_encrypted ?? '', id, key)).toBe(secret);
    await expect(unseal(row?.secret_encrypted ?? '', 'usr_someone_else', key)).rejects.toThrow();
  });

  it('replaces a pending enrollment, so only the newest secret confirms', async () => {
    const { id } = await createUser();
    const principal = await principalFor(id);
    const first = await enroll(principal);
    const second = await enroll(principal);
    expect(second.secret).not.toBe(first.secret);
    const stale = await confirm(principal, codeAt(first.secret, currentStep()));
    expect(stale.status).toBe(401);
    expect((await confirm(principal, codeAt(second.secret, currentStep()))).status).toBe(200);
  });

  it('answers 409 MFA_ALREADY_ENABLED once a factor is confirmed, and 401 without a principal', async () => {
    const { principal } = await userWithMfa();
    const res = await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal });
    expect(res.status).toBe(409);
    expect((await problemOf(res)).code).toBe('MFA_ALREADY_ENABLED');
    const anonymous = await call('/auth/mfa/totp/enroll', { method: 'POST' });
    expect((await problemOf(anonymous)).code).toBe('UNAUTHENTICATED');
  });
});

describe('POST /auth/mfa/totp/confirm', () => {
  it('enables MFA with a code from the secret and returns ten recovery codes once', async () => {
    const { id } = await createUser();
    const principal = await principalFor(id);
    const { secret } = await enroll(principal);
    const res = await confirm(principal, codeAt(secret, currentStep()));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { recoveryCodes } = await res.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[2-9a-hjkmnp-z]{5}-[2-9a-hjkmnp-z]{5}$/);
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(true);
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.enrolled', outcome: 'success' });
    const [notice] = await mfaNotices(id, 1);
    expect(notice).toMatchObject({ category: 'security', data: { change: 'enabled' } });
  });

  it('stores only SHA-256 hashes of the recovery codes', async () => {
    const { id, recoveryCodes } = await userWithMfa();
    const { results } = await env.DB.prepare('SELECT * FROM mfa_recovery_codes WHERE user_id = ?').bind(id).all();
    expect(results).toHaveLength(10);
    const stored = JSON.stringify(results);
    for (const code of recoveryCodes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replace('-', ''));
    }
    const hashes = results.map((r) => r.code_hash).sort();
    expect(hashes).toEqual((await Promise.all(recoveryCodes.map((c) => sha256Hex(c.replace('-', ''))))).sort());
  });

  it('refuses a wrong code with 401 INVALID_MFA_CODE and leaves the factor pending', async () => {
    const { id } = await createUser();
    const principal = await principalFor(id);
    const { secret } = await enroll(principal);
    const res = await confirm(principal, wrongCode(secret));
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('INVALID_MFA_CODE');
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(false);
    expect((await confirm(principal, codeAt(secret, currentStep()))).status).toBe(200);
  });

  it('answers 409 MFA_NOT_ENABLED without a pending enrollment, and MFA_ALREADY_ENABLED after one', async () => {
    const { id } = await createUser();
    const none = await confirm(await principalFor(id), '123456');
    expect(none.status).toBe(409);
    expect((await problemOf(none)).code).toBe('MFA_NOT_ENABLED');
    const { principal, secret } = await userWithMfa();
    const again = await confirm(principal, nextCode(secret));
    expect((await problemOf(again)).code).toBe('MFA_ALREADY_ENABLED');
  });

  it('validates the body', async () => {
    const { id } = await createUser();
    const res = await confirm(await principalFor(id), '');
    expect((await problemOf(res)).code).toBe('VALIDATION_FAILED');
  });
});

describe('a TOTP code is accepted once per time step', () => {
  it('refuses the confirming code for disable and for sign-in', async () => {
    const { id, principal, firstCode } = await userWithMfa();
    const disable = await call('/auth/mfa/totp/disable', { json: { code: firstCode } }, { principal });
    expect(disable.status).toBe(401);
    expect((await problemOf(disable)).code).toBe('INVALID_MFA_CODE');
    const signIn = await verify(await challenge(id), firstCode);
    expect(signIn.status).toBe(401);
    expect((await problemOf(signIn)).code).toBe('INVALID_MFA_CODE');
  });

  it('lets one of two sign-ins racing with the same code through', async () => {
    const { id, secret } = await userWithMfa();
    const code = nextCode(secret);
    const results = await Promise.all([verify(await challenge(id), code), verify(await challenge(id), code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses a code of an older step than one already used', async () => {
    const { id, secret } = await userWithMfa();
    const step = currentStep();
    expect(await verifySecondFactor(env, id, codeAt(secret, step + 1))).toBe('totp');
    expect(await verifySecondFactor(env, id, codeAt(secret, step))).toBeNull();
    expect(await verifySecondFactor(env, id, codeAt(secret, step + 1))).toBeNull();
  });
});

describe('POST /auth/mfa/totp/disable', () => {
  it('turns MFA off with a current code, removing the factor and recovery codes', async () => {
    const { id, principal, secret } = await userWithMfa();
    const res = await call('/auth/mfa/totp/disable', { json: { code: nextCode(secret) } }, { principal });
    expect(res.status).toBe(204);
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(false);
    const left = await env.DB.batch([
      env.DB.prepare('SELECT 1 FROM mfa_factors WHERE user_id = ?').bind(id),
      env.DB.prepare('SELECT 1 FROM mfa_recovery_codes WHERE user_id = ?').bind(id),
    ]);
    expect(left.map((r) => r.results.length)).toEqual([0, 0]);
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.disabled', outcome: 'success' });
    const notices = await mfaNotices(id, 2);
    expect(notices.map((n) => n.data.change)).toEqual(['enabled', 'disabled']);
    // Off means off: a new enrollment can start.
    expect((await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal })).status).toBe(200);
  });

  it('turns MFA off with a recovery code', async () => {
    const { id, principal, recoveryCodes } = await userWithMfa();
    const res = await call('/auth/mfa/totp/disable', { json: { code: recoveryCodes[3] } }, { principal });
    expect(res.status).toBe(204);
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(false);
    const actions = (await auditActions(id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['mfa.recovery_code_used', 'mfa.disabled']));
  });

  it('refuses a wrong code and answers 409 when MFA is off', async () => {
    const { id, principal, secret } = await userWithMfa();
    const wrong = await call('/auth/mfa/totp/disable', { json: { code: wrongCode(secret) } }, { principal });
    expect((await problemOf(wrong)).code).toBe('INVALID_MFA_CODE');
    const bogus = await call('/auth/mfa/totp/disable', { json: { code: 'aaaaa-aaaaa' } }, { principal });
    expect((await problemOf(bogus)).code).toBe('INVALID_MFA_CODE');
    expect((await findUserById(env.DB, id))?.mfaEnabled).toBe(true);
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.disabled', outcome: 'failure' });

    const other = await createUser();
    const off = await call(
      '/auth/mfa/totp/disable',
      { json: { code: '123456' } },
      { principal: await principalFor(other.id) },
    );
    expect(off.status).toBe(409);
    expect((await problemOf(off)).code).toBe('MFA_NOT_ENABLED');
  });

  it('locks the account after five wrong codes, so that a stolen session cannot guess its way through', async () => {
    const { principal, secret } = await userWithMfa();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('/auth/mfa/totp/disable', { json: { code: wrongCode(secret) } }, { principal });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const locked = await call('/auth/mfa/totp/disable', { json: { code: nextCode(secret) } }, { principal });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('recovery codes', () => {
  it('each one works once, in any case and with or without its dash', async () => {
    const { id, recoveryCodes } = await userWithMfa();
    const [a = '', b = ''] = recoveryCodes;
    expect((await verify(await challenge(id), a)).status).toBe(200);
    const again = await verify(await challenge(id), a);
    expect(again.status).toBe(401);
    expect((await problemOf(again)).code).toBe('INVALID_MFA_CODE');
    expect((await verify(await challenge(id), b.replace('-', '').toUpperCase())).status).toBe(200);
    const used = await env.DB.prepare(
      'SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = ? AND used_at IS NOT NULL',
    )
      .bind(id)
      .first<number>('n');
    expect(used).toBe(2);
    const actions = (await auditActions(id)).filter((a) => a.action === 'mfa.recovery_code_used');
    expect(actions).toHaveLength(2);
    const notices = await mfaNotices(id, 3);
    expect(notices.at(-1)?.data).toEqual({ change: 'recovery_code_used', remainingRecoveryCodes: 8 });
  });

  it('POST /auth/mfa/recovery-codes replaces them all, given a current TOTP code', async () => {
    const { id, principal, secret, recoveryCodes: old } = await userWithMfa();
    const viaRecovery = await call('/auth/mfa/recovery-codes', { json: { code: old[0] } }, { principal });
    expect((await problemOf(viaRecovery)).code).toBe('INVALID_MFA_CODE');
    const res = await call('/auth/mfa/recovery-codes', { json: { code: nextCode(secret) } }, { principal });
    expect(res.status).toBe(200);
    const { recoveryCodes } = await res.json<{ recoveryCodes: string[] }>();
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes.some((c) => old.includes(c))).toBe(false);
    expect((await verify(await challenge(id), old[1] ?? '')).status).toBe(401);
    expect((await verify(await challenge(id), recoveryCodes[0] ?? '')).status).toBe(200);
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.recovery_codes_regenerated', outcome: 'success' });
    const notices = await mfaNotices(id, 2);
    expect(notices.map((n) => n.data.change)).toContain('recovery_codes_regenerated');
  });

  it('cannot be regenerated without MFA', async () => {
    const { id } = await createUser();
    const res = await call(
      '/auth/mfa/recovery-codes',
      { json: { code: '123456' } },
      { principal: await principalFor(id) },
    );
    expect((await problemOf(res)).code).toBe('MFA_NOT_ENABLED');
  });
});

describe('POST /auth/mfa/verify', () => {
  it('answers a sign-in challenge with a current code with tokens of a password+mfa session', async () => {
    const { id, secret } = await userWithMfa();
    const res = await verify(await challenge(id), nextCode(secret), {
      'user-agent': 'Mozilla/5.0 (X11; Linux) Firefox/140.0',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const tokens = await res.json<Tokens>();
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(tokens.accessToken.split('.')).toHaveLength(3);
    expect(tokens.refreshToken.startsWith(`${id}.`)).toBe(true);
    const [session] = await sessionsOf(env, id).list();
    expect(session).toMatchObject({ method: 'password+mfa', device: 'Firefox on Linux', ip: '203.0.113.7' });
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.verify', outcome: 'success' });
  });

  it('completes a password sign-in that asked for a second factor', async () => {
    const { email, password, secret } = await userWithMfa();
    const login = await call('/auth/login', { json: { email, password } });
    expect(login.status).toBe(200);
    const { mfaRequired, mfaToken } = await login.json<{ mfaRequired: boolean; mfaToken: string }>();
    expect(mfaRequired).toBe(true);
    const res = await verify(mfaToken, nextCode(secret));
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('accessToken');
  });

  it('spends the challenge: it cannot be answered twice', async () => {
    const { id, recoveryCodes } = await userWithMfa();
    const token = await challenge(id);
    expect((await verify(token, recoveryCodes[0] ?? '')).status).toBe(200);
    const again = await verify(token, recoveryCodes[1] ?? '');
    expect((await problemOf(again)).code).toBe('INVALID_MFA_TOKEN');
  });

  it('refuses a wrong code with 401 INVALID_MFA_CODE, and the challenge can still be answered', async () => {
    const { id, secret } = await userWithMfa();
    const token = await challenge(id);
    const res = await verify(token, wrongCode(secret));
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe('INVALID_MFA_CODE');
    expect(await auditActions(id)).toContainEqual({ action: 'mfa.verify', outcome: 'failure' });
    expect((await verify(token, nextCode(secret))).status).toBe(200);
  });

  it('refuses unknown, malformed and expired challenges with 401 INVALID_MFA_TOKEN', async () => {
    const { id, secret } = await userWithMfa();
    const code = nextCode(secret);
    for (const mfaToken of [`${id}.${'A'.repeat(43)}`, 'not-a-token', `usr_nobody.${'A'.repeat(43)}`]) {
      const res = await verify(mfaToken, code);
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe('INVALID_MFA_TOKEN');
    }
    const expired = await challenge(id);
    await runInDurableObject(sessionsOf(env, id), (_instance, state) => {
      state.storage.sql.exec('UPDATE mfa_challenges SET expires_at = ?', Date.now() - 1);
    });
    const res = await verify(expired, code);
    expect((await problemOf(res)).code).toBe('INVALID_MFA_TOKEN');
    // Nothing was spent on a dead challenge: the code still signs in.
    expect((await verify(await challenge(id), code)).status).toBe(200);
  });

  it('locks the account after five wrong codes: 429 with Retry-After, even for a right code', async () => {
    const { id, secret } = await userWithMfa();
    const token = await challenge(id);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await verify(token, wrongCode(secret))).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const res = await verify(await challenge(id), nextCode(secret));
    expect(res.status).toBe(429);
    expect((await problemOf(res)).code).toBe('ACCOUNT_LOCKED');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await sessionsOf(env, id).lockedUntil({ network: networkOf('203.0.113.7') })).not.toBeNull();
  });

  it('answers 403 ACCOUNT_DISABLED for a disabled account without spending the code', async () => {
    const { id, secret } = await userWithMfa();
    await env.DB.prepare("UPDATE users SET status = 'disabled' WHERE id = ?").bind(id).run();
    const code = nextCode(secret);
    const res = await verify(await challenge(id), code);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe('ACCOUNT_DISABLED');
    await env.DB.prepare("UPDATE users SET status = 'active' WHERE id = ?").bind(id).run();
    expect((await verify(await challenge(id), code)).status).toBe(200);
  });
});
