import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { TOKEN_CACHE_MS } from '../src/services/access-tokens.js';
import { JWKS_CACHE_MS } from '../src/services/jwks.js';
import { problemOf } from './helpers.js';
import {
  advanceClock,
  bearer,
  createUser,
  json,
  publishedKey,
  request,
  signedInUser,
  signIn,
  signToken,
} from './identity-fixtures.js';

afterEach(() => {
  vi.restoreAllMocks();
});

type Tokens = { accessToken: string; refreshToken: string };
const refresh = (refreshToken: string) => request('/auth/refresh', json({ refreshToken }));
const me = (token: string) => request('/api/v1/users/me', bearer(token));

/** The current RFC 6238 code of a base32 `secret` (SHA-1, 6 digits, 30 s), as an authenticator app shows it. */
async function totp(secret: string): Promise<string> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret.replace(/=+$/, '')].map((ch) => alphabet.indexOf(ch).toString(2).padStart(5, '0')).join('');
  const bytes = new Uint8Array(Math.floor(bits.length / 8));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = new DataView(new ArrayBuffer(8));
  counter.setBigUint64(0, BigInt(Math.floor(Date.now() / 30_000)));
  const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, counter.buffer));
  const offset = (mac[19] ?? 0) & 0xf;
  const view = new DataView(mac.buffer, offset, 4);
  return String((view.getUint32(0) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('refresh rotation (issue 9, item 5)', () => {
  it('keeps the session when two tabs refresh with the same token at once, or a lost answer is retried', async () => {
    const session = await signedInUser();
    const [a, b] = await Promise.all([refresh(session.refreshToken), refresh(session.refreshToken)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [ta, tb] = await Promise.all([a.json<Tokens>(), b.json<Tokens>()]);
    expect(ta.refreshToken).toBe(tb.refreshToken);
    const retried = await refresh(session.refreshToken);
    expect((await retried.json<Tokens>()).refreshToken).toBe(ta.refreshToken);
    expect((await me(ta.accessToken)).status).toBe(200);
    expect((await refresh(ta.refreshToken)).status).toBe(200);
  });

  it('still revokes the family when a token far behind the newest is replayed', async () => {
    const session = await signedInUser();
    let current = session.refreshToken;
    // More rotations than a retry inside the grace period can be behind: this is a copy, not a slow tab.
    for (let i = 0; i < 6; i++) current = (await (await refresh(current)).json<Tokens>()).refreshToken;
    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect((await problemOf(replay)).code).toBe('REFRESH_TOKEN_REUSED');
    // The legitimate holder's newest token dies with the family.
    expect((await refresh(current)).status).toBe(401);
  });
});

describe('signing keys (issue 9, item 13)', () => {
  it('stops accepting tokens of a retired (leaked) key within the key-set and token caches', async () => {
    resetAuthCaches();
    const admin = await signedInUser(['admin']);
    const victim = await signedInUser();
    // The attacker holds a leaked private key that identity still publishes.
    const leaked = await publishedKey();
    const forged = await signToken(leaked, victim.subject);
    expect((await me(forged)).status).toBe(200);

    const listed = await request('/api/v1/signing-keys', bearer(admin.accessToken));
    expect(listed.status).toBe(200);
    const { data } = await listed.json<{ data: { kid: string; status: string }[] }>();
    expect(data.find((k) => k.kid === leaked.kid)?.status).toBe('published');
    const retired = await request(
      `/api/v1/signing-keys/${leaked.kid}/retire`,
      bearer(admin.accessToken, { method: 'POST' }),
    );
    expect(retired.status).toBe(200);
    expect(await retired.json()).toMatchObject({ key: { kid: leaked.kid, status: 'retired' }, replacedBy: null });
    const jwks = await (await request('/.well-known/jwks.json')).json<{ keys: { kid: string }[] }>();
    expect(jwks.keys.map((k) => k.kid)).not.toContain(leaked.kid);

    // Every isolate refetches the key set within JWKS_CACHE_MS and re-checks a token within TOKEN_CACHE_MS.
    advanceClock(JWKS_CACHE_MS + TOKEN_CACHE_MS + 1000);
    const refused = await me(forged);
    expect(refused.status).toBe(401);
    expect((await me(await signToken(leaked, victim.subject))).status).toBe(401);
  });

  it('lets only keys:manage holders list or retire keys', async () => {
    const member = await signedInUser();
    const key = await publishedKey();
    const retire = await request(
      `/api/v1/signing-keys/${key.kid}/retire`,
      bearer(member.accessToken, { method: 'POST' }),
    );
    expect(retire.status).toBe(403);
    expect((await request('/api/v1/signing-keys', bearer(member.accessToken))).status).toBe(403);
    expect((await request(`/api/v1/signing-keys/${key.kid}/retire`, { method: 'POST' })).status).toBe(401);
    const row = await env.IDENTITY_DB.prepare('SELECT retired_at FROM signing_keys WHERE kid = ?')
      .bind(key.kid)
      .first<{ retired_at: string | null }>();
    expect(row?.retired_at).toBeNull();
  });
});

describe('audit writes (issue 9, item 11)', () => {
  it('answers the recovery codes of a committed MFA enrollment while the audit log cannot be written', async () => {
    const session = await signedInUser();
    const enroll = await request('/auth/mfa/totp/enroll', bearer(session.accessToken, { method: 'POST' }));
    const { secret } = await enroll.json<{ secret: string }>();
    const db = env.IDENTITY_DB;
    const trigger = `test_audit_down_${crypto.randomUUID().slice(0, 8)}`;
    await db
      .prepare(`CREATE TRIGGER ${trigger} BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'injected'); END`)
      .run();
    let res: Response;
    try {
      res = await request('/auth/mfa/totp/confirm', bearer(session.accessToken, json({ code: await totp(secret) })));
    } finally {
      await db.prepare(`DROP TRIGGER ${trigger}`).run();
    }
    expect(res.status).toBe(200);
    expect((await res.json<{ recoveryCodes: string[] }>()).recoveryCodes).toHaveLength(10);
  });
});

describe('audit retention (issue 9, item 8)', () => {
  it('refuses deleting audit rows that no archived segment covers, and forging a segment to cover them', async () => {
    const admin = await signedInUser(['admin']);
    await signIn(await createUser());
    const db = env.IDENTITY_DB;
    const head = await db.prepare('SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1').first<{
      seq: number;
      hash: string;
    }>();
    expect(head).not.toBeNull();
    await expect(db.prepare('DELETE FROM audit_logs').run()).rejects.toThrow(/append-only/);
    await expect(
      db
        .prepare(
          `INSERT INTO audit_archive_segments (first_seq, last_seq, first_prev_hash, last_hash, entries, object_key, sha256)
           VALUES (1, ?, 'forged', ?, ?, 'k', 's')`,
        )
        .bind(head?.seq, head?.hash, head?.seq)
        .run(),
    ).rejects.toThrow(/extend the chain/);
    const verify = await request('/api/v1/audit-logs/verify', bearer(admin.accessToken));
    expect(await verify.json()).toMatchObject({ valid: true, archive: { segments: 0 } });
  });
});

describe('lockout and enumeration (issue 9, item 6)', () => {
  const attempt = (email: string, password: string, ip: string) =>
    request('/auth/login', json({ email, password }, { headers: { 'cf-connecting-ip': ip } }));

  /** What a client sees for `n` wrong passwords in a row from `ip`: status, code, whether Retry-After came. */
  async function wrongPasswords(email: string, n: number, ip: string): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await attempt(email, `not the password ${i}`, ip);
      seen.push(`${res.status} ${(await problemOf(res)).code} ${res.headers.has('retry-after')}`);
    }
    return seen;
  }

  it('does not let a stranger lock the owner out: only the stranger’s network waits', async () => {
    const victim = await createUser();
    const seen = await wrongPasswords(victim.email, 12, '198.51.100.23');
    expect(seen.at(-1)).toBe('429 ACCOUNT_LOCKED true');
    expect((await attempt(victim.email, victim.password, '198.51.100.200')).status).toBe(429);
    expect((await attempt(victim.email, victim.password, '203.0.113.77')).status).toBe(200);
  });

  it('answers an unknown email exactly as an account, 429 included', async () => {
    const account = await createUser();
    const known = await wrongPasswords(account.email, 7, '192.0.2.31');
    const unknown = await wrongPasswords(`nobody-${crypto.randomUUID().slice(0, 8)}@example.com`, 7, '192.0.2.32');
    expect(unknown).toEqual(known);
    expect(known.slice(-2)).toEqual(['429 ACCOUNT_LOCKED true', '429 ACCOUNT_LOCKED true']);
  });
});
