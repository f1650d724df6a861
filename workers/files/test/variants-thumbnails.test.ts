import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { variantKey } from '../src/services/image-variants.js';
import { THUMBNAIL, warmThumbnail } from '../src/services/thumbnails.js';
import { imageInfo, pngOf } from './support/life-images.js';
import { fileOf, keysUnder, someUser, storedBlob } from './support/life-rows.js';

describe('thumbnails', () => {
  it('computes the 256×256 cover WebP of an image upload after the answer', async () => {
    const blob = await storedBlob(await pngOf(600, 300), { sniffedType: 'image/png' });
    const ctx = createExecutionContext();
    warmThumbnail(env, ctx, await fileOf(someUser(), blob), blob);
    await waitOnExecutionContext(ctx);
    const key = variantKey(blob.id, THUMBNAIL, 'webp');
    expect(await keysUnder(`variants/${blob.id}/`)).toEqual([key]);
    const stored = await env.FILES_BUCKET.get(key);
    const bytes = new Uint8Array(await (stored as R2ObjectBody).arrayBuffer());
    expect(await imageInfo(bytes)).toEqual({ format: 'image/webp', width: 256, height: 256 });
  });

  it('computes nothing for a file that is not an image, nor fails for a corrupt one', async () => {
    const pdf = await storedBlob(new TextEncoder().encode('%PDF-1.7'), { sniffedType: 'application/pdf' });
    const corrupt = await storedBlob((await pngOf(64, 64)).subarray(0, 50), { sniffedType: 'image/png' });
    const ctx = createExecutionContext();
    warmThumbnail(env, ctx, await fileOf(someUser(), pdf), pdf);
    warmThumbnail(env, ctx, await fileOf(someUser(), corrupt), corrupt);
    await waitOnExecutionContext(ctx);
    expect(await keysUnder(`variants/${pdf.id}/`)).toEqual([]);
    expect(await keysUnder(`variants/${corrupt.id}/`)).toEqual([]);
  });
});
