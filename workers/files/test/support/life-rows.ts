import { env } from 'cloudflare:workers';
import { newId } from '@onasis/contracts';
import { dbOf } from '../../src/db/client.js';
import { type BlobRow, blobs, type FileRow, files } from '../../src/db/schema.js';

/** The drizzle client of the tests' database. */
export const db = () => dbOf(env.DB);

/** An ISO time `days` ago (fractions allowed), the format the schema's defaults write. */
export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `size` random bytes (getRandomValues fills at most 64 KiB at a time). */
export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65_536) crypto.getRandomValues(bytes.subarray(at, Math.min(at + 65_536, size)));
  return bytes;
}

/** A stored blob as ingestion leaves it: its R2 object under `blobs/<id>` and its row, with any column overridden. */
export async function storedBlob(bytes: Uint8Array = randomBytes(64), row: Partial<BlobRow> = {}): Promise<BlobRow> {
  const id = row.id ?? newId('blb');
  const objectKey = `blobs/${id}`;
  await env.FILES_BUCKET.put(objectKey, bytes, {
    httpMetadata: { contentType: row.sniffedType ?? 'application/octet-stream' },
  });
  return db()
    .insert(blobs)
    .values({
      id,
      sha256: await sha256Hex(bytes),
      size: bytes.byteLength,
      storedSize: bytes.byteLength,
      encoding: 'identity',
      objectKey,
      ...row,
    })
    .returning()
    .get();
}

/** A file row of `ownerId` pointing at `blob`, with any column overridden. */
export function fileOf(ownerId: string, blob: BlobRow, row: Partial<FileRow> = {}): Promise<FileRow> {
  return db()
    .insert(files)
    .values({
      id: newId('fil'),
      ownerId,
      name: `${crypto.randomUUID()}.bin`,
      contentType: blob.sniffedType ?? 'application/octet-stream',
      size: blob.size,
      sha256: blob.sha256,
      blobId: blob.id,
      ...row,
    })
    .returning()
    .get();
}

/** The keys under `prefix` in the bucket, sorted. */
export async function keysUnder(prefix: string): Promise<string[]> {
  const listed = await env.FILES_BUCKET.list({ prefix });
  return listed.objects.map((o) => o.key).sort();
}

/** A user id no other test uses. */
export const someUser = () => `usr_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
