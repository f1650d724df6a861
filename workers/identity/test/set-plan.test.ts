import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, createUser } from './helpers.js';

type Tokens = { accessToken: string; refreshToken: string };

const planClaim = (token: string) => (JSON.parse(atob(token.split('.')[1] ?? '')) as { plan: string }).plan;

const planChanges = async (userId: string) =>
  (
    await env.DB.prepare(
      "SELECT data FROM audit_logs WHERE action = 'user.plan-changed' AND target_id = ? ORDER BY seq",
    )
      .bind(userId)
      .all<{ data: string }>()
  ).results.map((r) => JSON.parse(r.data) as { before: { plan: string }; after: { plan: string } });

async function signIn(email: string, password: string): Promise<Tokens> {
  const res = await call('/auth/login', { json: { email, password } });
  expect(res.status).toBe(200);
  return res.json<Tokens>();
}

describe('IdentityService.setPlan', () => {
  it('sets the plan, audits the change once, and a repeat changes nothing', async () => {
    const { id } = await createUser();
    expect(await exports.IdentityService.setPlan(id, 'pro')).toEqual({
      ok: true,
      data: { plan: 'pro', changed: true },
    });
    expect(await exports.IdentityService.setPlan(id, 'pro')).toEqual({
      ok: true,
      data: { plan: 'pro', changed: false },
    });
    const row = await env.DB.prepare('SELECT plan FROM users WHERE id = ?').bind(id).first<{ plan: string }>();
    expect(row?.plan).toBe('pro');
    expect(await planChanges(id)).toMatchObject([{ before: { plan: 'free' }, after: { plan: 'pro' } }]);
  });

  it('reaches the access token at the next refresh', async () => {
    const { id, email, password } = await createUser();
    const first = await signIn(email, password);
    expect(planClaim(first.accessToken)).toBe('free');
    await exports.IdentityService.setPlan(id, 'pro');
    const res = await call('/auth/refresh', { json: { refreshToken: first.refreshToken } });
    expect(planClaim((await res.json<Tokens>()).accessToken)).toBe('pro');
  });

  it('answers NOT_FOUND for an unknown user and VALIDATION_FAILED for a malformed plan', async () => {
    expect(await exports.IdentityService.setPlan('usr_nobody', 'pro')).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    const { id } = await createUser();
    for (const plan of ['', 'Pro Plan', 'x'.repeat(65)]) {
      expect(await exports.IdentityService.setPlan(id, plan)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
    }
    expect(await planChanges(id)).toEqual([]);
  });
});
