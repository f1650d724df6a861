import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { chunkReader } from '../src/services/body-reader.js';
import { ingestFile } from '../src/services/ingest.js';
import {
  blobKeys,
  blobOf,
  concatBytes,
  filesOf,
  member,
  randomBytes,
  reservationsOf,
  sha256Of,
  streamOf,
} from './support/upload-helpers.js';

async function chunksOf(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const reader = chunkReader(body);
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

describe('chunkReader', () => {
  it('reads a byte stream in chunks of 256 KiB, each in a buffer of its own', async () => {
    const bytes = randomBytes(600_001);
    // A Response's body is a byte stream, as a request body forwarded over the service binding is.
    const chunks = await chunksOf(new Response(bytes).body as ReadableStream<Uint8Array>);
    expect(chunks.map((c) => c.byteLength)).toEqual([262_144, 262_144, 75_713]);
    expect(new Set(chunks.map((c) => c.buffer)).size).toBe(3);
    expect(concatBytes(chunks)).toEqual(bytes);
  });

  it('reads any other stream in the chunks it yields', async () => {
    const bytes = randomBytes(150_000);
    const chunks = await chunksOf(streamOf(bytes, 64 * 1024));
    expect(chunks.map((c) => c.byteLength)).toEqual([65_536, 65_536, 18_928]);
    expect(concatBytes(chunks)).toEqual(bytes);
  });

  it('ends at once on an empty body', async () => {
    expect(await chunksOf(new Response(new Uint8Array(0)).body ?? streamOf(new Uint8Array(0)))).toEqual([]);
  });
});

describe('an upload read in large chunks', () => {
  it('stores a byte-stream body of a length no chunk divides, byte for byte', async () => {
    const owner = { userId: member().userId, plan: 'free' };
    const bytes = randomBytes(700_003);
    for (const declaredSize of [bytes.byteLength, undefined]) {
      const ctx = createExecutionContext();
      const file = await ingestFile(env, ctx, {
        owner,
        name: `big-${declaredSize ?? 'chunked'}.bin`,
        declaredSize,
        body: new Response(bytes).body as ReadableStream<Uint8Array>,
      });
      await waitOnExecutionContext(ctx);
      expect(file.size).toBe(bytes.byteLength);
      expect(file.sha256).toBe(await sha256Of(bytes));
      const object = await env.FILES_BUCKET.get((await blobOf(file.sha256))?.objectKey ?? '');
      expect(new Uint8Array(await (object as R2ObjectBody).arrayBuffer())).toEqual(bytes);
    }
  });

  it('answers 400 for a byte stream cut off inside a 256 KiB read, and keeps nothing', async () => {
    const owner = { userId: member().userId, plan: 'free' };
    const bytes = randomBytes(400_000);
    let sent = 0;
    // Errors 300,000 bytes in: the second read has gathered part of its 256 KiB when the sender goes away.
    const cut = new ReadableStream({
      type: 'bytes',
      pull(controller) {
        if (sent >= 300_000) return controller.error(new Error('client went away'));
        controller.enqueue(bytes.slice(sent, sent + 50_000));
        sent += 50_000;
      },
    });
    const before = await blobKeys();
    const ctx = createExecutionContext();
    const failed = ingestFile(env, ctx, { owner, name: 'cut.bin', declaredSize: bytes.byteLength, body: cut });
    await expect(failed).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await waitOnExecutionContext(ctx);
    expect(await filesOf(owner.userId)).toEqual([]);
    expect(await reservationsOf(owner.userId)).toEqual([]);
    expect(await blobKeys()).toEqual(before);
  });
});
