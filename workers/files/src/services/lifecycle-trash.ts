import { and, asc, eq, lt } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { files } from '../db/schema.js';
import { intVar } from './config.js';
import { CHUNK, purgeFile, type StepResult } from './lifecycle-purge.js';

const DAY_MS = 86_400_000;

/**
 * Lifecycle step 3: files in the trash longer than FILES_TRASH_DAYS are deleted for good, oldest first, at most
 * `CHUNK` a run. Each deletion holds only while the file is still trashed past the cut-off, so a file restored
 * meanwhile stays; a crash mid-way leaves the rest (and at worst a blob at zero references) to the next run.
 */
export async function purgeTrash(env: FilesEnv, now: Date): Promise<StepResult> {
  const cutoff = new Date(now.getTime() - intVar(env.FILES_TRASH_DAYS, 30) * DAY_MS).toISOString();
  const expired = and(eq(files.status, 'trashed'), lt(files.trashedAt, cutoff));
  const due = await dbOf(env.DB)
    .select({ id: files.id })
    .from(files)
    .where(expired)
    .orderBy(asc(files.trashedAt))
    .limit(CHUNK + 1);
  let done = 0;
  for (const { id } of due.slice(0, CHUNK)) if (await purgeFile(env, id, expired)) done++;
  return { done, more: due.length > CHUNK };
}
