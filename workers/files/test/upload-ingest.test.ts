import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { fileShares } from '../src/db/schema.js';
import { ingestFile } from '../src/services/ingest.js';
import { reserveSpace } from '../src/services/quota.js';
import {
  blobOf,
  db,
  filesOf,
  member,
  randomBytes,
  reservationsOf,
  sha256Of,
  streamOf,
} from './support/upload-helpers.js';

const ownerOf = () => ({ userId: member().userId, plan: 'free' });

describe('ingestFile', () => {
  it('settles a reservation the caller made in the batch that inserts the file', async () => {
    const owner = ownerOf();
    const bytes = randomBytes(3000);
    const reservationId = await reserveSpace(env, owner, { bytes: 3000 }, 60);
    const ctx = createExecutionContext();
    const file = await ingestFile(env, ctx, {
      owner,
      name: 'tus.bin',
      declaredSize: 3000,
      body: streamOf(bytes),
      reservationId,
    });
    await waitOnExecutionContext(ctx);
    expect(file.sha256).toBe(await sha256Of(bytes));
    expect(await reservationsOf(owner.userId)).toEqual([]);
  });

  it('replaces the live file at the path with replace, releasing the old blob', async () => {
    const owner = ownerOf();
    const ctx = createExecutionContext();
    const oldBytes = randomBytes(2000);
    const old = await ingestFile(env, ctx, { owner, name: 'k.bin', folder: 'a', body: streamOf(oldBytes) });
    const oldBlob = await blobOf(old.sha256);
    await db()
      .insert(fileShares)
      .values({ fileId: old.id, userId: member().userId, access: 'read', createdBy: owner.userId });
    const newBytes = randomBytes(2100);
    const replaced = await ingestFile(env, ctx, {
      owner,
      name: 'k.bin',
      folder: 'a',
      body: streamOf(newBytes),
      replace: true,
    });
    await waitOnExecutionContext(ctx);
    expect(replaced.id).not.toBe(old.id);
    expect((await filesOf(owner.userId)).map((f) => f.id)).toEqual([replaced.id]);
    expect(await blobOf(old.sha256)).toBeUndefined();
    expect(await env.FILES_BUCKET.head(oldBlob?.objectKey ?? '')).toBeNull();
    expect((await blobOf(replaced.sha256))?.refCount).toBe(1);
    expect(await db().select().from(fileShares).where(eq(fileShares.fileId, old.id)).all()).toEqual([]);
  });

  it('keeps the blob when replace writes the same bytes again', async () => {
    const owner = ownerOf();
    const ctx = createExecutionContext();
    const bytes = randomBytes(1500);
    await ingestFile(env, ctx, { owner, name: 'same.bin', body: streamOf(bytes) });
    const again = await ingestFile(env, ctx, { owner, name: 'same.bin', body: streamOf(bytes), replace: true });
    await waitOnExecutionContext(ctx);
    const blob = await blobOf(again.sha256);
    expect(blob?.refCount).toBe(1);
    expect(await env.FILES_BUCKET.head(blob?.objectKey ?? '')).not.toBeNull();
    expect(await filesOf(owner.userId)).toHaveLength(1);
  });

  it('refuses a declared size over MAX_UPLOAD_BYTES with 413 before reading the body', async () => {
    const owner = ownerOf();
    const small = { ...env, MAX_UPLOAD_BYTES: '1000' };
    await expect(
      ingestFile(small, createExecutionContext(), {
        owner,
        name: 'x.bin',
        declaredSize: 1001,
        body: streamOf(randomBytes(1001)),
      }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await reservationsOf(owner.userId)).toEqual([]);
  });

  it('refuses a body of unknown length past MAX_UPLOAD_BYTES with 413 and keeps nothing', async () => {
    const owner = ownerOf();
    const small = { ...env, MAX_UPLOAD_BYTES: '100000' };
    const bytes = randomBytes(150_000);
    await expect(
      ingestFile(small, createExecutionContext(), { owner, name: 'x.bin', body: streamOf(bytes, 10_000) }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await filesOf(owner.userId)).toEqual([]);
    expect(await reservationsOf(owner.userId)).toEqual([]);
  });
});
