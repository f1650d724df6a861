import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { AppError } from '@onasis/http';
import { describe, expect, it } from 'vitest';
import type { BlobRow } from '../src/db/schema.js';
import { serveVariant, VariantQuery, type VariantSpec, wantsVariant } from '../src/services/image-variants.js';
import { imageInfo, magicOf, pngOf } from './support/life-images.js';
import { fileOf, keysUnder, someUser, storedBlob } from './support/life-rows.js';

async function imageFile(bytes: Uint8Array, sniffedType: string | null = 'image/png') {
  const blob = await storedBlob(bytes, { sniffedType });
  return { blob, file: await fileOf(someUser(), blob) };
}

async function variant(blob: BlobRow, spec: VariantSpec, accept: string | null = null) {
  const ctx = createExecutionContext();
  const file = await fileOf(someUser(), blob);
  const res = await serveVariant(env, ctx, file, blob, spec, accept);
  const bytes = new Uint8Array(await res.arrayBuffer());
  await waitOnExecutionContext(ctx);
  return { res, bytes };
}

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof AppError ? err.code : String(err);
}

describe('image variants', () => {
  it('resizes within the box, keeps the aspect ratio and the original format', async () => {
    const { blob } = await imageFile(await pngOf(400, 200));
    const { res, bytes } = await variant(blob, { w: 100, h: 100 });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(magicOf(bytes)).toBe('image/png');
    expect(await imageInfo(bytes)).toEqual({ format: 'image/png', width: 100, height: 50 });
  });

  it('crops to cover in the format asked for, with the caching headers', async () => {
    const { blob } = await imageFile(await pngOf(400, 200));
    const { res, bytes } = await variant(blob, { w: 64, h: 64, fit: 'cover', format: 'webp' });
    expect(magicOf(bytes)).toBe('image/webp');
    expect(await imageInfo(bytes)).toEqual({ format: 'image/webp', width: 64, height: 64 });
    expect(res.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('vary')).toBeNull();
  });

  it('is computed once: the second request reads the stored variant', async () => {
    const { blob } = await imageFile(await pngOf(300, 300));
    const first = await variant(blob, { w: 30, format: 'jpeg' });
    expect(await keysUnder(`variants/${blob.id}/`)).toEqual([`variants/${blob.id}/w30-h0-scale-down.jpeg`]);
    // The original gone, only the stored variant can answer the second request.
    await env.FILES_BUCKET.delete(blob.objectKey);
    const second = await variant(blob, { w: 30, format: 'jpeg' });
    expect(second.bytes).toEqual(first.bytes);
    expect(second.res.headers.get('etag')).toBe(first.res.headers.get('etag'));
    expect(await imageInfo(second.bytes)).toEqual({ format: 'image/jpeg', width: 30, height: 30 });
  });

  it('answers the same bytes to concurrent misses, stored once under one key', async () => {
    const { blob } = await imageFile(await pngOf(120, 80));
    const spec: VariantSpec = { w: 60, format: 'png' };
    const [a, b] = await Promise.all([variant(blob, spec), variant(blob, spec)]);
    expect(a.bytes).toEqual(b.bytes);
    expect(await keysUnder(`variants/${blob.id}/`)).toHaveLength(1);
  });

  it('picks AVIF, then WebP, then the original for format=auto, and varies on Accept', async () => {
    const { blob } = await imageFile(await pngOf(80, 40));
    const cases = [
      ['image/avif,image/webp,*/*', 'image/avif'],
      ['image/avif;q=0, image/webp', 'image/webp'],
      ['*/*', 'image/png'],
      [null, 'image/png'],
    ] as const;
    for (const [accept, format] of cases) {
      const { res, bytes } = await variant(blob, { w: 40, format: 'auto' }, accept);
      expect(res.headers.get('content-type')).toBe(format);
      expect(res.headers.get('vary')).toBe('Accept');
      expect(magicOf(bytes)).toBe(format);
      expect(await imageInfo(bytes)).toMatchObject({ format, width: 40, height: 20 });
    }
  });

  it('gives a different spec a different ETag and object', async () => {
    const { blob } = await imageFile(await pngOf(50, 50));
    const a = await variant(blob, { w: 10 });
    const b = await variant(blob, { w: 20 });
    expect(a.res.headers.get('etag')).not.toBe(b.res.headers.get('etag'));
    expect(await keysUnder(`variants/${blob.id}/`)).toHaveLength(2);
  });

  it('refuses a file that is not an image by its sniffed type, storing nothing', async () => {
    const { blob, file } = await imageFile(new TextEncoder().encode('%PDF-1.7 not an image'), 'application/pdf');
    expect(await refusal(serveVariant(env, createExecutionContext(), file, blob, { w: 10 }, null))).toBe(
      'NOT_AN_IMAGE',
    );
    const text = await imageFile(new TextEncoder().encode('plain text'), null);
    expect(await refusal(serveVariant(env, createExecutionContext(), text.file, text.blob, { w: 10 }, null))).toBe(
      'NOT_AN_IMAGE',
    );
    expect(await keysUnder(`variants/${blob.id}/`)).toEqual([]);
  });

  it('answers NOT_AN_IMAGE, never a 500, for a corrupt image', async () => {
    const png = await pngOf(64, 64);
    const { blob, file } = await imageFile(png.subarray(0, 40));
    expect(await refusal(serveVariant(env, createExecutionContext(), file, blob, { w: 10 }, null))).toBe(
      'NOT_AN_IMAGE',
    );
    expect(await keysUnder(`variants/${blob.id}/`)).toEqual([]);
  });

  it('bounds the query to 1..2500 px a side and tells a variant query from a plain read', () => {
    expect(VariantQuery.safeParse({ w: '2500', h: '1' }).success).toBe(true);
    for (const q of [{ w: '2501' }, { h: '0' }, { w: '1.5' }, { fit: 'squeeze' }, { format: 'gif' }])
      expect(VariantQuery.safeParse(q).success).toBe(false);
    expect(wantsVariant({})).toBe(false);
    expect(wantsVariant({ format: 'auto' })).toBe(true);
  });
});
