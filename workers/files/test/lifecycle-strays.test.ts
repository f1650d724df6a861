import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { sweepStrayObjects } from '../src/services/lifecycle-strays.js';
import { keysUnder, storedBlob } from './support/life-rows.js';

describe('lifecycle: stray objects', () => {
  it('deletes objects no row names once they are a day old, and nothing else', async () => {
    const held = await storedBlob();
    const heldVariant = `variants/${held.id}/w10-h0-scale-down.png`;
    const lostId = newId('blb');
    const strays = [`blobs/${lostId}`, `variants/${lostId}/w10-h0-scale-down.png`, `staging/${newId('stg')}`];
    for (const key of [heldVariant, ...strays]) await env.FILES_BUCKET.put(key, 'bytes');
    const all = async () => [
      ...(await keysUnder('blobs/')),
      ...(await keysUnder('variants/')),
      ...(await keysUnder('staging/')),
    ];
    const before = await all();

    // Just written: an upload may still be about to insert its row.
    expect(await sweepStrayObjects(env, new Date(), 'blobs/')).toEqual({ done: 0, more: false });
    expect(await all()).toEqual(before);

    const dayLater = new Date(Date.now() + 86_400_000 + 60_000);
    expect(await sweepStrayObjects(env, dayLater, 'blobs/')).toEqual({ done: 3, more: false });
    const after = await all();
    expect(after).toEqual(before.filter((k) => !strays.includes(k)));
    expect(after).toContain(held.objectKey);
    expect(after).toContain(heldVariant);

    expect(await sweepStrayObjects(env, dayLater, 'blobs/')).toEqual({ done: 0, more: false });
    expect(await all()).toEqual(after);
  });
});
