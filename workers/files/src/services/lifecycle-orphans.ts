import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { blobs } from '../db/schema.js';
import { collectBlob } from './blob-refs.js';
import { CHUNK, type StepResult } from './lifecycle-purge.js';

/**
 * Lifecycle step 4: blobs no file references (`ref_count = 0`), left by a crash between a file's deletion and its
 * blob's collection. Each goes row first, by a delete that holds only while the count is still zero (an upload of the
 * same bytes that bumped it keeps the blob), then its object and variants; a crash after the row leaves an object no
 * row names, never served, which the stray-object step deletes once it is a day old.
 */
export async function collectUnreferenced(env: FilesEnv): Promise<StepResult> {
  const due = await dbOf(env.DB)
    .select({ id: blobs.id })
    .from(blobs)
    .where(eq(blobs.refCount, 0))
    .limit(CHUNK + 1);
  let done = 0;
  for (const { id } of due.slice(0, CHUNK)) if (await collectBlob(env, id)) done++;
  return { done, more: due.length > CHUNK };
}
