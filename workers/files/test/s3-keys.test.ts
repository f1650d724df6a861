import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../src/db/client.js';
import { s3Keys } from '../src/db/schema.js';
import { MAX_S3_KEYS } from '../src/services/s3-keys.js';
import { apiCall, createKey, s3Member } from './support/s3-client.js';

describe('S3 access keys', () => {
  it('creates a key whose secret is shown once and stored only sealed', async () => {
    const alice = s3Member();
    const key = await createKey(alice, 'backup');
    expect(key.accessKeyId).toMatch(/^[A-Z2-7]{20}$/);
    expect(key.secretAccessKey.length).toBeGreaterThanOrEqual(40);
    expect(key.name).toBe('backup');
    const row = await dbOf(env.DB).select().from(s3Keys).where(eq(s3Keys.accessKeyId, key.accessKeyId)).get();
    expect(row?.ownerId).toBe(alice.userId);
    expect(row?.sealedSecret).not.toContain(key.secretAccessKey);
    const list = await apiCall('/api/v1/files/s3-keys', {}, alice);
    expect(list.status).toBe(200);
    const text = await list.text();
    expect(text).not.toContain(key.secretAccessKey);
    const body = JSON.parse(text) as { data: { accessKeyId: string; lastUsedAt: string | null }[]; nextCursor: null };
    expect(body.data).toEqual([
      { accessKeyId: key.accessKeyId, name: 'backup', createdAt: key.createdAt, lastUsedAt: null },
    ]);
    expect(body.nextCursor).toBeNull();
  });

  it('lists only the caller’s keys and answers 404 for deleting another user’s', async () => {
    const alice = s3Member();
    const bob = s3Member();
    const key = await createKey(alice);
    const bobs = await apiCall('/api/v1/files/s3-keys', {}, bob);
    expect((await bobs.json<{ data: unknown[] }>()).data).toEqual([]);
    const stolen = await apiCall(`/api/v1/files/s3-keys/${key.accessKeyId}`, { method: 'DELETE' }, bob);
    expect(stolen.status).toBe(404);
    const own = await apiCall(`/api/v1/files/s3-keys/${key.accessKeyId}`, { method: 'DELETE' }, alice);
    expect(own.status).toBe(204);
    const again = await apiCall(`/api/v1/files/s3-keys/${key.accessKeyId}`, { method: 'DELETE' }, alice);
    expect(again.status).toBe(404);
  });

  it('refuses an eleventh key, even when asked for concurrently', async () => {
    const alice = s3Member();
    const answers = await Promise.all(
      Array.from({ length: MAX_S3_KEYS + 3 }, () => apiCall('/api/v1/files/s3-keys', { json: {} }, alice)),
    );
    expect(answers.filter((r) => r.status === 201)).toHaveLength(MAX_S3_KEYS);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(3);
  });

  it('refuses to create a key with an API key, or with unknown fields', async () => {
    const alice = { ...s3Member(), via: 'api_key' as const, sessionId: null };
    const res = await apiCall('/api/v1/files/s3-keys', { json: {} }, alice);
    expect(res.status).toBe(403);
    const bad = await apiCall('/api/v1/files/s3-keys', { json: { name: 'x', owner: 'usr_other' } }, s3Member());
    expect(bad.status).toBe(400);
  });

  it('needs files:write to create and files:read to list', async () => {
    const reader = { ...s3Member(), permissions: ['files:read'] };
    expect((await apiCall('/api/v1/files/s3-keys', { json: {} }, reader)).status).toBe(403);
    expect((await apiCall('/api/v1/files/s3-keys', {}, reader)).status).toBe(200);
  });
});
