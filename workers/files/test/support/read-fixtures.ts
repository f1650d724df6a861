import { env, exports } from 'cloudflare:workers';
import { newId, type Principal } from '@onasis/contracts';
import { type CallInit, forwardTo } from '@onasis/testing';
import { eq, sql } from 'drizzle-orm';
import { dbOf } from '../../src/db/client.js';
import { blobs, type FileRow, files } from '../../src/db/schema.js';

/** The files Worker's database, for fixtures and checks. */
export const db = dbOf(env.DB);

/** A member with `files:read` and `files:write`, fresh for each call so that tests share no files. */
export function member(name: string, permissions = ['files:read', 'files:write']): Principal {
  return {
    userId: `usr_${name}_${crypto.randomUUID().slice(0, 8)}`,
    sessionId: null,
    permissions,
    via: 'access_token',
  };
}

/** An admin with `files:manage`. */
export const admin = () => member('admin', ['files:read', 'files:write', 'files:manage']);

const forward = forwardTo('files', () => exports.FilesService);

/** A request to the files Worker as the gateway forwards it, as `as` (no principal: a public route). */
export function call(path: string, init: CallInit = {}, as?: Principal): Promise<Response> {
  return forward(path, init, as ? { principal: as } : {});
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** What `storedFile` stores. */
export interface FixtureFile {
  owner: Principal;
  name?: string;
  folder?: string;
  contentType?: string;
  /** The content; random bytes by default. */
  bytes?: Uint8Array | string;
  /** Store the object gzip-compressed, as ingest does for compressible types. */
  gzip?: boolean;
  createdAt?: string;
}

/**
 * A file written straight to D1 and R2 the way ingest leaves one (blob row, object at `blobs/<id>`, file row), so
 * that read tests control every byte and the storage encoding. The same bytes share one blob, counted once per file.
 */
export async function storedFile(input: FixtureFile): Promise<FileRow> {
  const raw = input.bytes ?? crypto.getRandomValues(new Uint8Array(1000));
  const bytes = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  const known = await db.select().from(blobs).where(eq(blobs.sha256, sha256)).get();
  let blobId = known?.id;
  if (known) {
    await db
      .update(blobs)
      .set({ refCount: sql`${blobs.refCount} + 1` })
      .where(eq(blobs.id, known.id));
  } else {
    blobId = newId('blb');
    const stored = input.gzip ? await gzip(bytes) : bytes;
    await env.FILES_BUCKET.put(`blobs/${blobId}`, stored);
    await db.insert(blobs).values({
      id: blobId,
      sha256,
      size: bytes.byteLength,
      storedSize: stored.byteLength,
      encoding: input.gzip ? 'gzip' : 'identity',
      objectKey: `blobs/${blobId}`,
    });
  }
  return db
    .insert(files)
    .values({
      id: newId('fil'),
      ownerId: input.owner.userId,
      name: input.name ?? `file-${crypto.randomUUID().slice(0, 8)}.bin`,
      folder: input.folder ?? '',
      contentType: input.contentType ?? 'application/octet-stream',
      size: bytes.byteLength,
      sha256,
      blobId: blobId ?? '',
      ...(input.createdAt ? { createdAt: input.createdAt, updatedAt: input.createdAt } : {}),
    })
    .returning()
    .get();
}

/** The file row as stored now (undefined once deleted for good). */
export const fileRow = (id: string) => db.select().from(files).where(eq(files.id, id)).get();

/** The bytes of an answer. */
export const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
