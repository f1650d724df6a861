import { inArray } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs } from '../db/schema.js';
import type { StepResult } from './lifecycle-purge.js';

const DAY_MS = 86_400_000;

/** Keys checked per prefix and run; under D1's 100 bound parameters, as each page is looked up in one statement. */
const PAGE = 90;

/** A random point of a prefix's keyspace (ids are `blb_` and hex), so that successive runs sample all of it. */
const randomStart = (prefix: string) =>
  `${prefix}blb_${[...crypto.getRandomValues(new Uint8Array(2))].map((b) => b.toString(16).padStart(2, '0')).join('')}`;

/** One page of keys under `prefix` from `startAfter`, wrapping to the start when it is past the last key. */
async function pageOf(bucket: R2Bucket, prefix: string, startAfter: string | undefined) {
  const page = await bucket.list({ prefix, startAfter, limit: PAGE });
  if (page.objects.length > 0 || startAfter === undefined) return page.objects;
  return (await bucket.list({ prefix, limit: PAGE })).objects;
}

/**
 * Lifecycle step 6: objects no row names, older than a day: a blob object whose upload died between writing it and
 * inserting its row (or whose row was collected before the object delete ran), variants of a blob that is gone (a
 * variant computed while its blob was being collected), and anything left under `staging/`. A day is far longer than
 * any one write, so an upload in flight is never touched. Each run checks one page per prefix from a random point, so
 * a listing of the whole bucket is never needed; deleting twice is harmless.
 */
export async function sweepStrayObjects(env: FilesEnv, now: Date, start?: string): Promise<StepResult> {
  const bucket = env.FILES_BUCKET;
  const old = (objects: R2Object[]) => objects.filter((o) => o.uploaded.getTime() < now.getTime() - DAY_MS);
  const db = dbOf(env.DB);
  const blobKeys = old(await pageOf(bucket, 'blobs/', start ?? randomStart('blobs/'))).map((o) => o.key);
  const named = blobKeys.length
    ? new Set(
        (await db.select({ key: blobs.objectKey }).from(blobs).where(inArray(blobs.objectKey, blobKeys))).map(
          (r) => r.key,
        ),
      )
    : new Set<string>();
  const variantKeys = old(
    await pageOf(bucket, 'variants/', start?.replace(/^blobs\//, 'variants/') ?? randomStart('variants/')),
  ).map((o) => o.key);
  const idOf = (key: string) => key.split('/')[1] ?? '';
  const ids = [...new Set(variantKeys.map(idOf))];
  const live = ids.length
    ? new Set((await db.select({ id: blobs.id }).from(blobs).where(inArray(blobs.id, ids))).map((r) => r.id))
    : new Set<string>();
  const staging = old(await pageOf(bucket, 'staging/', undefined)).map((o) => o.key);
  const strays = [
    ...blobKeys.filter((k) => !named.has(k)),
    ...variantKeys.filter((k) => !live.has(idOf(k))),
    ...staging,
  ];
  if (strays.length > 0) await bucket.delete(strays);
  return { done: strays.length, more: false };
}
