import { env } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { describe, expect, it, vi } from 'vitest';
import { nameProblem } from '../src/services/display-name.js';
import { chargeSend, PER_RECIPIENT_SENDS, recipientLimit, SEND_WINDOW_MS } from '../src/services/send-limits.js';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, principalFor, sentTo, uniqueEmail, waitForMessages } from './helpers.js';

const resend = (principal: Principal) => call('/auth/verify-email/resend', { method: 'POST' }, { principal });

async function auditsOf(targetId: string, action: string): Promise<{ outcome: string; data: string | null }[]> {
  const { results } = await env.DB.prepare(
    'SELECT outcome, data FROM audit_logs WHERE target_id = ? AND action = ? ORDER BY seq',
  )
    .bind(targetId, action)
    .all<{ outcome: string; data: string | null }>();
  return results;
}

describe('send limits', () => {
  it('answers 429 with Retry-After once an address had its verification resends, and sends nothing more', async () => {
    const { id } = await createUser({ verified: false });
    const principal = await principalFor(id);
    for (let i = 0; i < PER_RECIPIENT_SENDS; i++) expect((await resend(principal)).status).toBe(202);
    const limited = await resend(principal);
    expect(limited.status).toBe(429);
    expect((await problemOf(limited)).code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(SEND_WINDOW_MS / 1000);
    const tokens = await env.DB.prepare(
      "SELECT count(*) AS n FROM email_tokens WHERE user_id = ? AND purpose = 'verify_email'",
    )
      .bind(id)
      .first<{ n: number }>();
    expect(tokens?.n).toBe(PER_RECIPIENT_SENDS);
  });

  it('starts counting again once the window is over', async () => {
    const limit = await recipientLimit(uniqueEmail());
    const start = Date.now();
    for (let i = 0; i < limit.limit; i++) expect(await chargeSend(env.DB, [limit], start)).toBeNull();
    expect(await chargeSend(env.DB, [limit], start + 1000)).toEqual({ retryAfterSeconds: SEND_WINDOW_MS / 1000 - 1 });
    expect(await chargeSend(env.DB, [limit], start + SEND_WINDOW_MS)).toBeNull();
  });

  it('lets only the allowed number through when many charge at once', async () => {
    const limit = await recipientLimit(uniqueEmail());
    const answers = await Promise.all(Array.from({ length: 12 }, () => chargeSend(env.DB, [limit])));
    expect(answers.filter((a) => a === null)).toHaveLength(limit.limit);
  });

  it('stops reset emails to an address silently: every request still answers 202', async () => {
    const { id, email } = await createUser();
    for (let i = 0; i <= PER_RECIPIENT_SENDS; i++) {
      expect((await call('/auth/password/forgot', { json: { email } })).status).toBe(202);
    }
    await vi.waitFor(async () => expect(await auditsOf(id, 'user.password_reset_requested')).toHaveLength(6), {
      timeout: 5000,
    });
    const outcomes = (await auditsOf(id, 'user.password_reset_requested')).map((a) => a.outcome);
    expect(outcomes.filter((o) => o === 'success')).toHaveLength(PER_RECIPIENT_SENDS);
    expect(outcomes.filter((o) => o === 'failure')).toHaveLength(1);
  });

  it('answers 429 to email changes beyond the new address’s limit, changing nothing', async () => {
    const { id, password } = await createUser();
    const principal = await principalFor(id);
    const target = uniqueEmail('target');
    const change = () =>
      call('/api/v1/users/me', { method: 'PATCH', json: { email: target, currentPassword: password } }, { principal });
    for (let i = 0; i < PER_RECIPIENT_SENDS; i++) expect((await change()).status).toBe(200);
    const limited = await change();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('mails the owner of a taken address at most the allowed number of times', async () => {
    const { id, email } = await createUser();
    for (let i = 0; i <= PER_RECIPIENT_SENDS; i++) {
      expect((await call('/auth/register', { json: { email, password: 'someone else tries this' } })).status).toBe(202);
    }
    await waitForMessages(
      'onasis-notifications',
      (all) =>
        all.filter((m) => m.to === id && m.template === 'identity.register-attempt').length === PER_RECIPIENT_SENDS,
    );
    // The counter is full: the sixth attempt was refused a notice, and so would the next.
    expect(await chargeSend(env.DB, [await recipientLimit(email)])).not.toBeNull();
    const notices = (await sentTo('onasis-notifications')).filter(
      (m) => m.to === id && m.template === 'identity.register-attempt',
    );
    expect(notices).toHaveLength(PER_RECIPIENT_SENDS);
  });
});

describe('names that enter emails', () => {
  it.each([
    'Visit https://evil.example',
    'www.evil.example',
    'Claim at evil.com now',
    '<a href=x>Ada</a>',
    'Ada\u202Eevil',
    'Ada\u200Bevil',
    'Ada\nevil',
    'x'.repeat(101),
  ])('refuses %j at register with 400 on name', async (name) => {
    const email = uniqueEmail();
    const res = await call('/auth/register', { json: { email, password: 'a perfectly fine passphrase', name } });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name' }] });
    expect(await env.DB.prepare('SELECT 1 FROM users WHERE email = ?').bind(email).first()).toBeNull();
  });

  it('refuses such a name on profile and admin updates, and accepts ordinary names', async () => {
    const { id } = await createUser({ name: 'Before' });
    const principal = await principalFor(id);
    const patch = (name: string) => call('/api/v1/users/me', { method: 'PATCH', json: { name } }, { principal });
    const refused = await patch('see http://x.example');
    expect(refused.status).toBe(400);
    expect((await problemOf(refused)).errors).toEqual([expect.objectContaining({ path: 'name' })]);
    const admin = await createUser({ roles: ['admin'] });
    const byAdmin = await call(
      `/api/v1/users/${id}`,
      { method: 'PATCH', json: { name: 'bad<script>' } },
      { principal: await principalFor(admin.id) },
    );
    expect(byAdmin.status).toBe(400);
    for (const name of ['Ada Lovelace', 'J.R.R. Tolkien', 'Zoë O’Brien-Łukasiewicz', '山田 太郎', 'Mary.Jane']) {
      expect(nameProblem(name), name).toBeNull();
    }
    expect((await patch('Zoë O’Brien')).status).toBe(200);
  });
});

describe('re-authentication failures count toward the lockout', () => {
  it('locks the account after wrong current passwords, then answers 429 even to the right one', async () => {
    const { id, password } = await createUser();
    const principal = await principalFor(id);
    const change = (currentPassword: string) =>
      call('/api/v1/users/me', { method: 'PATCH', json: { email: uniqueEmail(), currentPassword } }, { principal });
    for (let i = 0; i < 4; i++) expect((await change('not my password at all')).status).toBe(401);
    expect(await sessionsOf(env, id).lockedUntil()).toBeNull();
    expect((await change('not my password at all')).status).toBe(401);
    expect(await sessionsOf(env, id).lockedUntil()).not.toBeNull();
    const locked = await change(password);
    expect(locked.status).toBe(429);
    expect((await problemOf(locked)).code).toBe('ACCOUNT_LOCKED');
    const remove = await call(
      '/api/v1/users/me',
      { method: 'DELETE', json: { currentPassword: password } },
      { principal },
    );
    expect(remove.status).toBe(429);
  });
});
