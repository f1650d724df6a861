import { env } from 'cloudflare:workers';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { auditChainOf } from '../src/services/audit.js';
import { archiveAuditLog, segmentKey } from '../src/services/audit-archive.js';
import { verifyAuditChain } from '../src/services/audit-chain-verify.js';
import { AuditQueuedError, appendAudit } from './audit-append.js';
import { call, createUser, principalFor } from './helpers.js';

/** Makes every audit INSERT fail, as a D1 outage would, while `run` runs. */
async function withFailingAuditWrites<T>(run: () => Promise<T>): Promise<T> {
  await env.DB.prepare(
    "CREATE TRIGGER test_audit_down BEFORE INSERT ON audit_logs BEGIN SELECT RAISE(ABORT, 'injected outage'); END",
  ).run();
  try {
    return await run();
  } finally {
    await env.DB.prepare('DROP TRIGGER test_audit_down').run();
  }
}

const actionsFor = async (userId: string) =>
  (
    await env.DB.prepare('SELECT action FROM audit_logs WHERE target_id = ? ORDER BY seq')
      .bind(userId)
      .all<{ action: string }>()
  ).results.map((r) => r.action);

const headSeq = async () =>
  (await env.DB.prepare('SELECT max(seq) AS seq FROM audit_logs').first<{ seq: number }>())?.seq ?? 0;

describe('an audit write that fails after the change committed', () => {
  it('still answers the recovery codes, and the entry is committed at the next flush', async () => {
    const user = await createUser();
    const principal = await principalFor(user.id);
    const enrolled = await call('/auth/mfa/totp/enroll', { method: 'POST' }, { principal });
    const { secret } = await enrolled.json<{ secret: string }>();
    const code = TOTP.generate({ secret: Secret.fromBase32(secret) });
    const res = await withFailingAuditWrites(() => call('/auth/mfa/totp/confirm', { json: { code } }, { principal }));
    expect(res.status).toBe(200);
    expect((await res.json<{ recoveryCodes: string[] }>()).recoveryCodes).toHaveLength(10);
    expect(await actionsFor(user.id)).not.toContain('mfa.enrolled');
    expect(await auditChainOf(env).flush()).toEqual({ pending: 0 });
    expect(await actionsFor(user.id)).toContain('mfa.enrolled');
    expect(await verifyAuditChain(env.DB)).toMatchObject({ valid: true });
  });

  it('still signs the user in, and keeps queued entries in order for the flush', async () => {
    const user = await createUser();
    const res = await withFailingAuditWrites(async () => {
      const login = await call('/auth/login', { json: { email: user.email, password: user.password } });
      // While D1 refuses, the writer answers at once that it kept the entry.
      await expect(appendAudit(env, { action: 'test.during-outage', targetId: user.id })).rejects.toBeInstanceOf(
        AuditQueuedError,
      );
      return login;
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toHaveProperty('refreshToken');
    await auditChainOf(env).flush();
    expect(await actionsFor(user.id)).toEqual(['user.login', 'test.during-outage']);
    expect(await verifyAuditChain(env.DB)).toMatchObject({ valid: true });
  });

  it('records an append repeated after a lost answer once', async () => {
    const pending = { id: `aud_${crypto.randomUUID().replaceAll('-', '')}`, occurredAt: new Date().toISOString() };
    const input = { action: 'test.repeated', targetId: pending.id };
    const chain = auditChainOf(env);
    await chain.append({ ...pending, input });
    await chain.append({ ...pending, input });
    expect(await actionsFor(pending.id)).toEqual(['test.repeated']);
  });
});

describe('audit retention', () => {
  it('archives old entries to R2 segments and verifies the live log from their anchors, and the archive itself', async () => {
    const admin = await principalFor((await createUser({ roles: ['admin'] })).id);
    await appendAudit(env, { action: 'test.old' });
    const through = await headSeq();
    // Everything is older than the retention period a year and a day from now.
    const report = await archiveAuditLog(env, 365, Date.now() + 366 * 24 * 3600_000);
    expect(report).toMatchObject({ entriesArchived: through, blockedAt: null });
    expect(await headSeq()).toBe(0);
    const segment = await env.AUDIT_ARCHIVE.get(segmentKey(1, through));
    const lines = (await segment?.text())?.trim().split('\n') ?? [];
    expect(lines).toHaveLength(through);
    expect(JSON.parse(lines.at(-1) ?? '{}')).toMatchObject({ seq: through, action: 'test.old' });

    // The chain goes on from the archived head.
    const next = await appendAudit(env, { action: 'test.after-archive' });
    expect(next.seq).toBe(through + 1);
    const verify = async (query = '') => {
      const res = await call(`/api/v1/audit-logs/verify${query}`, {}, { principal: admin });
      expect(res.status).toBe(200);
      return res.json<Record<string, unknown>>();
    };
    expect(await verify()).toMatchObject({
      valid: true,
      entries: through + 1,
      head: next.hash,
      archive: { segments: 1, throughSeq: through, checked: false },
    });
    expect(await verify('?archive=true')).toMatchObject({ valid: true, archive: { checked: true } });

    // An edited archive object is caught by the deep check; the anchors alone still vouch for the live part.
    const forged = lines.map((l, i) => (i === 0 ? l.replace('"outcome":"success"', '"outcome":"failure"') : l));
    await env.AUDIT_ARCHIVE.put(segmentKey(1, through), `${forged.join('\n')}\n`);
    expect(await verify('?archive=true')).toMatchObject({
      valid: false,
      firstBrokenSeq: 1,
      reason: 'archive_mismatch',
    });
    expect(await verify()).toMatchObject({ valid: true });
    await env.AUDIT_ARCHIVE.put(segmentKey(1, through), `${lines.join('\n')}\n`);
    expect(await verify('?archive=true')).toMatchObject({ valid: true });
  });

  it('lets only archived rows leave audit_logs, and a segment only extend the chain', async () => {
    await appendAudit(env, { action: 'test.live' });
    const seq = await headSeq();
    await expect(env.DB.prepare('DELETE FROM audit_logs WHERE seq = ?').bind(seq).run()).rejects.toThrow(/append-only/);
    // A forged segment claiming the live rows is refused, so it cannot open the way to deleting them.
    await expect(
      env.DB.prepare(
        `INSERT INTO audit_archive_segments (first_seq, last_seq, first_prev_hash, last_hash, entries, object_key, sha256)
         VALUES (?, ?, 'x', 'y', ?, 'k', 's')`,
      )
        .bind(seq, seq, 1)
        .run(),
    ).rejects.toThrow(/extend the chain/);
    await expect(env.DB.prepare('DELETE FROM audit_archive_segments').run()).rejects.toThrow(/append-only/);
    // Entries younger than the retention period stay.
    expect(await archiveAuditLog(env, 365)).toMatchObject({ entriesArchived: 0 });
    expect(await headSeq()).toBe(seq);
  });
});
