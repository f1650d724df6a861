import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { type CallInit, forwardTo } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { dbOf } from '../../src/db/client.js';
import { blobs, files, reservations } from '../../src/db/schema.js';

/** A member with a fresh id, so that tests sharing the database never share usage or paths. */
export function member(plan?: string): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return {
    userId,
    sessionId: `ses_${userId}`,
    permissions: ['files:read', 'files:write'],
    via: 'access_token',
    ...(plan ? { plan } : {}),
  };
}

/** The drizzle client of the tests' database. */
export const db = () => dbOf(env.DB);

const forward = forwardTo('files', () => exports.FilesService);

/** A request to the files Worker as the gateway forwards it, with `as` as the caller (none: a public request). */
export function call(path: string, init: CallInit = {}, as?: Principal): Promise<Response> {
  return forward(path, init, as ? { principal: as } : {});
}

/** `bytes` as a stream of chunks of `chunk` bytes: a body the Worker reads as it arrives. */
export function streamOf(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

/** How a test uploads. */
export interface UploadOptions {
  name?: string;
  folder?: string;
  type?: string | null;
  /** Leave out Content-Length: the Worker does not know the size. */
  unknownLength?: boolean;
  headers?: Record<string, string>;
  path?: string;
}

/** POSTs `bytes` raw to `/api/v1/files` as `as`, streamed, with its Content-Length unless `unknownLength`. */
export function upload(bytes: Uint8Array, as: Principal, options: UploadOptions = {}): Promise<Response> {
  const query = new URLSearchParams();
  if (options.name !== undefined) query.set('name', options.name);
  if (options.folder !== undefined) query.set('folder', options.folder);
  const headers: Record<string, string> = { ...options.headers };
  if (options.type !== null) headers['content-type'] = options.type ?? 'application/octet-stream';
  if (!options.unknownLength) headers['content-length'] = String(bytes.byteLength);
  const path = options.path ?? '/api/v1/files';
  return call(`${path}${query.size > 0 ? `?${query}` : ''}`, { method: 'POST', headers, body: streamOf(bytes) }, as);
}

/** A `multipart/form-data` body holding `fields` and then one file part. */
export function multipartOf(
  file: { name: string; type?: string; bytes: Uint8Array },
  fields: Record<string, string> = {},
): { body: Uint8Array; contentType: string } {
  const boundary = `----onasis${crypto.randomUUID().replaceAll('-', '')}`;
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(enc.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    file.bytes,
    enc.encode(`\r\n--${boundary}--\r\n`),
  );
  return { body: concatBytes(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** `parts` one after the other in one array. */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** A file as the API answers it. */
export interface FileView {
  id: string;
  name: string;
  folder: string;
  size: number;
  contentType: string;
  sha256: string;
  ownerId: string;
}

/** Uploads and answers the file, failing the test on anything but 201. */
export async function uploaded(bytes: Uint8Array, as: Principal, options: UploadOptions = {}): Promise<FileView> {
  const res = await upload(bytes, as, { name: `${crypto.randomUUID()}.bin`, ...options });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<FileView>();
}

/** SHA-256 of `bytes`, hex. */
export async function sha256Of(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * `n` random bytes (no two tests share content, so no two share a blob), starting `RND\0` so that they never happen to
 * begin like an executable or another format file-type knows.
 */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  out.set([0x52, 0x4e, 0x44, 0x00].slice(0, n));
  return out;
}

/** The owner's file rows. */
export const filesOf = (ownerId: string) => db().select().from(files).where(eq(files.ownerId, ownerId)).all();

/** The blob row holding `sha256`, if any. */
export const blobOf = (sha256: string) => db().select().from(blobs).where(eq(blobs.sha256, sha256)).get();

/** The owner's reservations. */
export const reservationsOf = (ownerId: string) =>
  db().select().from(reservations).where(eq(reservations.ownerId, ownerId)).all();

/** Every key under `blobs/` in the bucket. */
export async function blobKeys(): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.FILES_BUCKET.list({ prefix: 'blobs/', cursor });
    keys.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return keys;
}

/** The stored object's bytes, decompressed when the blob is gzip. */
export async function storedBytes(objectKey: string, encoding: string): Promise<Uint8Array> {
  const object = await env.FILES_BUCKET.get(objectKey);
  if (!object) throw new Error(`no object ${objectKey}`);
  const stream = encoding === 'gzip' ? object.body.pipeThrough(new DecompressionStream('gzip')) : object.body;
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** A whole 1×1 PNG: file-type reads its chunks up to IDAT, so a truncated one may not be called a PNG. */
export const PNG_HEAD = Uint8Array.from(
  '89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000A49444154789C63000100000500010D0A2DB40000000049454E44AE426082'.match(
    /../g,
  ) ?? [],
  (h) => Number.parseInt(h, 16),
);

/** `head` followed by `rest` random bytes. */
export function withHead(head: Uint8Array, rest = 256): Uint8Array {
  const out = new Uint8Array(head.byteLength + rest);
  out.set(head);
  out.set(randomBytes(rest), head.byteLength);
  return out;
}
