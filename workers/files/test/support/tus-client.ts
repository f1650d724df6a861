import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { forwardTo } from '@onasis/testing';
import { eq } from 'drizzle-orm';
import { dbOf } from '../../src/db/client.js';
import { files, reservations, uploads } from '../../src/db/schema.js';

const forward = forwardTo('files', () => exports.FilesService);
const MiB = 1024 * 1024;

export { MiB };

/** A member with files:read and files:write, a new one per call so that quotas never meet. */
export function someMember(): Principal {
  const userId = `usr_${crypto.randomUUID().replaceAll('-', '')}`;
  return { userId, sessionId: `ses_${userId}`, permissions: ['files:read', 'files:write'], via: 'access_token' };
}

/** `Upload-Metadata` of these pairs, values base64 of UTF-8. */
export function metadataOf(pairs: Record<string, string>): string {
  const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));
  return Object.entries(pairs)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');
}

/** `n` random bytes (random content sniffs as no type, so it is stored as application/octet-stream). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

/** SHA-256 hex of bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes as a stream of `chunk`-byte pieces (a body must be a stream to reach the Worker as the gateway streams it). */
export function streamOf(bytes: Uint8Array, chunk = 64 * 1024): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

/** A request to the files Worker as the gateway forwards it, as `who`, with `Tus-Resumable: 1.0.0` unless told. */
export function tusCall(path: string, init: RequestInit, who: Principal, tusVersion: string | null = '1.0.0') {
  const headers = new Headers(init.headers);
  if (tusVersion !== null) headers.set('tus-resumable', tusVersion);
  return forward(path, { ...init, headers }, { principal: who });
}

/** POST /api/v1/uploads for `length` bytes named `name` (more metadata and headers optional). */
export function createUpload(
  who: Principal,
  length: number,
  metadata: Record<string, string> = { filename: 'data.bin' },
  headers: Record<string, string> = {},
  body?: ReadableStream<Uint8Array>,
) {
  return tusCall(
    '/api/v1/uploads',
    {
      method: 'POST',
      headers: { 'upload-length': String(length), 'upload-metadata': metadataOf(metadata), ...headers },
      body,
    },
    who,
  );
}

/** The upload id of a creation answer's Location. */
export const uploadIdOf = (res: Response) => (res.headers.get('location') ?? '').split('/').pop() ?? '';

/** Creates an upload and answers its id, failing on anything but 201. */
export async function newUpload(who: Principal, length: number, metadata?: Record<string, string>) {
  const res = await createUpload(who, length, metadata);
  if (res.status !== 201) throw new Error(`creation answered ${res.status}: ${await res.text()}`);
  return uploadIdOf(res);
}

/** PATCH `body` at `offset`. */
export function patchUpload(who: Principal, id: string, offset: number, body: ReadableStream<Uint8Array>) {
  return tusCall(
    `/api/v1/uploads/${id}`,
    {
      method: 'PATCH',
      headers: { 'content-type': 'application/offset+octet-stream', 'upload-offset': String(offset) },
      body,
    },
    who,
  );
}

/** HEAD, GET or DELETE of an upload. */
export const uploadAt = (who: Principal, id: string, method: 'HEAD' | 'GET' | 'DELETE' = 'HEAD') =>
  tusCall(`/api/v1/uploads/${id}`, { method }, who);

/** The stored file and its reservation state, straight from D1 and R2. */
export async function storedState(uploadId: string) {
  const db = dbOf(env.DB);
  const upload = await db.select().from(uploads).where(eq(uploads.id, uploadId)).get();
  const file = upload?.fileId ? await db.select().from(files).where(eq(files.id, upload.fileId)).get() : undefined;
  const reservation = upload?.reservationId
    ? await db.select().from(reservations).where(eq(reservations.id, upload.reservationId)).get()
    : undefined;
  const objects = (await env.FILES_BUCKET.list({ prefix: `tus/${uploadId}` })).objects.map((o) => o.key);
  return { upload, file, reservation, objects };
}
