import { env } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { problemOf } from '@onasis/testing';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/services/audit-chain-verify.js';
import { type AuditEntry, entryHash, GENESIS_HASH } from '../src/services/audit-entry.js';
import { appendAudit } from './audit-append.js';
import { call, createUser, principalFor } from './helpers.js';

/** What verify reports of the archive while nothing was archived. */
const noArchive = { segments: 0, throughSeq: 0, checked: false };

type Page<T> = { data: T[]; nextCursor: string | null };
type Verification = { valid: boolean; entries: number; head: string; firstBrokenSeq?: number; reason?: string };

async function auditor(): Promise<Principal> {
  const { id } = await createUser({ roles: ['admin'] });
  return principalFor(id);
}

async function verify(principal: Principal): Promise<Verification> {
  const res = await call('/api/v1/audit-logs/verify', {}, { principal });
  expect(res.status).toBe(200);
  return res.json<Verification>();
}

/** Appends `n` entries one after another and returns them. */
async function appendMany(n: number, event: Partial<Parameters<typeof appendAudit>[1]> = {}): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < n; i++) entries.push(await appendAudit(env, { action: 'test.event', data: { i }, ...event }));
  return entries;
}

/**
 * Appends `n` entries in batches: the rows `appendAudit` would write, linked and hashed by the same `entryHash`,
 * without its two round trips per entry. Nothing else may append meanwhile.
 */
async function appendBulk(n: number): Promise<void> {
  const head = await env.DB.prepare('SELECT seq, hash FROM audit_logs ORDER BY seq DESC LIMIT 1').first<{
    seq: number;
    hash: string;
  }>();
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const insert = env.DB.prepare(
    `INSERT INTO audit_logs (seq, id, occurred_at, action, outcome, prev_hash, hash, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (let done = 0; done < n; ) {
    const statements = [];
    for (const end = Math.min(n, done + 100); done < end; done++) {
      seq++;
      const unhashed = {
        ...{ seq, id: `aud_bulk_${seq}`, occurredAt: new Date().toISOString(), action: 'test.bulk' },
        ...{ outcome: 'success' as const, actorId: null, targetType: null, targetId: null },
        ...{ ip: null, userAgent: null, requestId: null, data: { seq }, prevHash },
      };
      const hash = await entryHash(unhashed);
      statements.push(
        insert.bind(
          seq,
          unhashed.id,
          unhashed.occurredAt,
          unhashed.action,
          'success',
          prevHash,
          hash,
          `{"seq":${seq}}`,
        ),
      );
      prevHash = hash;
    }
    await env.DB.batch(statements);
  }
}

async function rowAt(seq: number) {
  return env.DB.prepare('SELECT * FROM audit_logs WHERE seq = ?').bind(seq).first<Record<string, unknown>>();
}

async function headSeq(): Promise<number> {
  const row = await env.DB.prepare('SELECT max(seq) AS seq FROM audit_logs').first<{ seq: number | null }>();
  return row?.seq ?? 0;
}

/**
 * Runs `tamper` as an attacker with direct database access would: with one of the append-only triggers dropped.
 * The trigger is put back afterwards, exactly as the migration created it.
 */
async function withoutTrigger<T>(name: string, tamper: () => Promise<T>): Promise<T> {
  const trigger = await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?")
    .bind(name)
    .first<{ sql: string }>();
  if (!trigger) throw new Error(`no trigger ${name}`);
  await env.DB.prepare(`DROP TRIGGER ${name}`).run();
  try {
    return await tamper();
  } finally {
    await env.DB.prepare(trigger.sql).run();
  }
}

describe('audit log access', () => {
  it.each(['/api/v1/audit-logs', '/api/v1/audit-logs/verify'])('answers 401 and 403 on %s', async (path) => {
    const anonymous = await call(path);
    expect(anonymous.status).toBe(401);
    expect((await problemOf(anonymous)).code).toBe('UNAUTHENTICATED');
    const { id } = await createUser({ roles: ['member'] });
    const member = await call(path, {}, { principal: await principalFor(id) });
    expect(member.status).toBe(403);
    expect((await problemOf(member)).detail).toMatch(/audit-logs:read/);
  });
});

describe('GET /api/v1/audit-logs', () => {
  it('lists entries newest first, as they were appended', async () => {
    const principal = await auditor();
    const actorId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
    const appended = await appendMany(3, {
      actorId,
      targetType: 'user',
      targetId: 'usr_target',
      ip: '203.0.113.1',
      userAgent: 'agent',
      requestId: 'req_1',
    });
    const res = await call(`/api/v1/audit-logs?actorId=${actorId}`, {}, { principal });
    expect(res.status).toBe(200);
    const body = await res.json<Page<AuditEntry>>();
    expect(body.data).toEqual([...appended].reverse());
    expect(body.nextCursor).toBeNull();
  });

  it('filters by actor, target, action, outcome and time', async () => {
    const principal = await auditor();
    const actorId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
    const targetId = `role-${crypto.randomUUID().slice(0, 8)}`;
    const a = await appendAudit(env, { action: 'role.created', actorId, targetId });
    const b = await appendAudit(env, { action: 'role.updated', actorId, targetId, outcome: 'failure' });
    const c = await appendAudit(env, { action: 'role.updated', actorId });
    const seqs = async (query: string) => {
      const res = await call(`/api/v1/audit-logs?actorId=${actorId}&${query}`, {}, { principal });
      expect(res.status, query).toBe(200);
      return (await res.json<Page<AuditEntry>>()).data.map((e) => e.seq);
    };
    expect(await seqs(`targetId=${targetId}`)).toEqual([b.seq, a.seq]);
    expect(await seqs('action=role.updated')).toEqual([c.seq, b.seq]);
    expect(await seqs('outcome=failure')).toEqual([b.seq]);
    expect(await seqs('outcome=success&action=role.updated')).toEqual([c.seq]);
    const atOrAfter = (t: string) => [c, b, a].filter((e) => e.occurredAt >= t).map((e) => e.seq);
    expect(await seqs(`from=${b.occurredAt}`)).toEqual(atOrAfter(b.occurredAt));
    expect(await seqs(`to=${b.occurredAt}`)).toEqual(
      [c, b, a].filter((e) => e.occurredAt < b.occurredAt).map((e) => e.seq),
    );
    // An offset is understood: midnight in UTC+02:00 is 22:00 UTC the day before.
    expect(await seqs(`from=${encodeURIComponent('2999-01-01T00:00:00+02:00')}`)).toEqual([]);
    expect(await seqs(`to=${encodeURIComponent('2000-01-01T00:00:00+02:00')}`)).toEqual([]);
    expect(await seqs(`from=${encodeURIComponent('2000-01-01T00:00:00+02:00')}`)).toEqual([c.seq, b.seq, a.seq]);
    const nobody = await call('/api/v1/audit-logs?actorId=usr_nobody', {}, { principal });
    expect((await nobody.json<Page<AuditEntry>>()).data).toEqual([]);
  });

  it('pages backwards through the log with a cursor', async () => {
    const principal = await auditor();
    const actorId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
    const appended = await appendMany(5, { actorId });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const res = await call(`/api/v1/audit-logs?actorId=${actorId}&limit=2${query}`, {}, { principal });
      const body = await res.json<Page<AuditEntry>>();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((e) => e.seq));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(appended.map((e) => e.seq).reverse());
  });

  it('answers 400 to bad filters and cursors', async () => {
    const principal = await auditor();
    for (const [query, path] of [
      ['from=yesterday', 'query.from'],
      ['to=2026-13-01T00:00:00Z', 'query.to'],
      ['outcome=maybe', 'query.outcome'],
      ['limit=500', 'query.limit'],
      ['cursor=eyJzZXEiOiJ4In0', 'query.cursor'],
    ]) {
      const res = await call(`/api/v1/audit-logs?${query}`, {}, { principal });
      expect(res.status, query).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('VALIDATION_FAILED');
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
  });
});

describe('the audit chain', () => {
  it('is valid after admin actions and direct appends, with the newest hash as head', async () => {
    const principal = await auditor();
    const name = `role-${crypto.randomUUID().slice(0, 8)}`;
    expect((await call('/api/v1/roles', { json: { name, permissions: ['jobs:read'] } }, { principal })).status).toBe(
      201,
    );
    await call(`/api/v1/roles/${name}`, { method: 'PATCH', json: { description: 'ünïcødé ✓' } }, { principal });
    await appendAudit(env, {
      action: 'test.shapes',
      outcome: 'failure',
      userAgent: 'x'.repeat(600),
      data: { nested: { list: [1, 2.5, -0, null, 'two'], empty: {} }, '10': 'numeric key', big: 2 ** 52, t: true },
    });
    await appendAudit(env, { action: 'test.no-data', data: null });
    await call(`/api/v1/roles/${name}`, { method: 'DELETE' }, { principal });
    const head = await rowAt(await headSeq());
    expect(await verify(principal)).toEqual({
      valid: true,
      entries: await headSeq(),
      head: head?.hash,
      archive: noArchive,
    });
  });

  it('cannot be rewritten by the application while the triggers exist', async () => {
    await appendMany(2);
    const seq = await headSeq();
    const before = await rowAt(seq);
    await expect(env.DB.prepare("UPDATE audit_logs SET data = '{}' WHERE seq = ?").bind(seq).run()).rejects.toThrow(
      /append-only/,
    );
    await expect(env.DB.prepare('DELETE FROM audit_logs WHERE seq = ?').bind(seq).run()).rejects.toThrow(/append-only/);
    await expect(env.DB.prepare('DELETE FROM audit_logs').run()).rejects.toThrow(/append-only/);
    expect(await rowAt(seq)).toEqual(before);
  });

  it('reports the first entry whose data was changed, then is valid again once it is restored', async () => {
    const principal = await auditor();
    await appendMany(6);
    const seq = Math.ceil((await headSeq()) / 2);
    const original = await rowAt(seq);
    for (const [forged, reason] of [
      ['{"forged":true}', 'hash_mismatch'],
      ['not json', 'malformed_entry'],
    ] as const) {
      await withoutTrigger('audit_logs_no_update', async () => {
        await env.DB.prepare('UPDATE audit_logs SET data = ? WHERE seq = ?').bind(forged, seq).run();
        expect(await verify(principal)).toMatchObject({ valid: false, entries: seq - 1, firstBrokenSeq: seq, reason });
        // The listing still shows the forged row.
        const cursor = base64url.encode(JSON.stringify({ seq: seq + 1 }));
        const listed = await call(`/api/v1/audit-logs?cursor=${cursor}&limit=1`, {}, { principal });
        expect(listed.status).toBe(200);
        expect((await listed.json<Page<AuditEntry>>()).data[0]?.seq).toBe(seq);
        await env.DB.prepare('UPDATE audit_logs SET data = ? WHERE seq = ?').bind(original?.data, seq).run();
      });
    }
    expect(await verify(principal)).toMatchObject({ valid: true });
  });

  it('reports the next entry when the changed entry was re-hashed to match', async () => {
    const principal = await auditor();
    await appendMany(4);
    const seq = (await headSeq()) - 2;
    const original = await rowAt(seq);
    if (!original) throw new Error('no row');
    const forged = {
      seq,
      id: String(original.id),
      occurredAt: String(original.occurred_at),
      action: 'test.nothing-to-see',
      outcome: original.outcome as 'success' | 'failure',
      actorId: original.actor_id as string | null,
      targetType: original.target_type as string | null,
      targetId: original.target_id as string | null,
      ip: original.ip as string | null,
      userAgent: original.user_agent as string | null,
      requestId: original.request_id as string | null,
      data: null,
      prevHash: String(original.prev_hash),
    };
    const hash = await entryHash(forged);
    await withoutTrigger('audit_logs_no_update', async () => {
      await env.DB.prepare('UPDATE audit_logs SET action = ?, data = NULL, hash = ? WHERE seq = ?')
        .bind(forged.action, hash, seq)
        .run();
      expect(await verify(principal)).toMatchObject({
        valid: false,
        entries: seq,
        head: hash,
        firstBrokenSeq: seq + 1,
        reason: 'prev_hash_mismatch',
      });
      await env.DB.prepare('UPDATE audit_logs SET action = ?, data = ?, hash = ? WHERE seq = ?')
        .bind(original.action, original.data, original.hash, seq)
        .run();
    });
    expect(await verify(principal)).toMatchObject({ valid: true });
  });

  it('reports a deleted entry by its seq', async () => {
    const principal = await auditor();
    await appendMany(5);
    const seq = (await headSeq()) - 2;
    const original = await rowAt(seq);
    if (!original) throw new Error('no row');
    await withoutTrigger('audit_logs_no_delete', async () => {
      await env.DB.prepare('DELETE FROM audit_logs WHERE seq = ?').bind(seq).run();
    });
    try {
      expect(await verify(principal)).toMatchObject({
        valid: false,
        entries: seq - 1,
        firstBrokenSeq: seq,
        reason: 'missing_entry',
      });
    } finally {
      const columns = Object.keys(original);
      await env.DB.prepare(
        `INSERT INTO audit_logs (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      )
        .bind(...Object.values(original))
        .run();
    }
    expect(await verify(principal)).toMatchObject({ valid: true });
  });

  it('stays gap-free and valid under 20 concurrent appends', async () => {
    const principal = await auditor();
    const start = await headSeq();
    const entries = await Promise.all(
      Array.from({ length: 20 }, (_, i) => appendAudit(env, { action: 'test.concurrent', data: { i } })),
    );
    expect(entries.map((e) => e.seq).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => start + i + 1),
    );
    expect(new Set(entries.map((e) => e.id)).size).toBe(20);
    expect(await verify(principal)).toEqual({
      valid: true,
      entries: start + 20,
      head: (await rowAt(start + 20))?.hash,
      archive: noArchive,
    });
  });

  it('walks the chain in pages, finding a break on either side of a page boundary', async () => {
    await appendMany(7);
    const total = await headSeq();
    expect(await verifyAuditChain(env.DB, { pageSize: 3 })).toMatchObject({ valid: true, entries: total });
    for (const seq of [3, 4]) {
      await withoutTrigger('audit_logs_no_update', async () => {
        const original = await rowAt(seq);
        await env.DB.prepare("UPDATE audit_logs SET outcome = 'failure' WHERE seq = ?").bind(seq).run();
        expect(await verifyAuditChain(env.DB, { pageSize: 3 })).toMatchObject({ valid: false, firstBrokenSeq: seq });
        await env.DB.prepare('UPDATE audit_logs SET outcome = ? WHERE seq = ?').bind(original?.outcome, seq).run();
      });
    }
    expect(await verifyAuditChain(env.DB, { pageSize: 3 })).toMatchObject({ valid: true, entries: total });
  });

  it('verifies a log longer than one page of the API', async () => {
    const principal = await auditor();
    await appendBulk(Math.max(0, 1010 - (await headSeq())));
    await appendMany(2);
    const result = await verify(principal);
    expect(result).toMatchObject({ valid: true });
    expect(result.entries).toBeGreaterThanOrEqual(1010);
    await withoutTrigger('audit_logs_no_update', async () => {
      const original = await rowAt(1001);
      await env.DB.prepare("UPDATE audit_logs SET ip = '198.51.100.66' WHERE seq = 1001").run();
      expect(await verify(principal)).toMatchObject({ valid: false, entries: 1000, firstBrokenSeq: 1001 });
      await env.DB.prepare('UPDATE audit_logs SET ip = ? WHERE seq = 1001').bind(original?.ip).run();
    });
  }, 30_000);
});
