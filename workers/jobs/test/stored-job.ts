import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { dbOf } from '../src/db/client.js';
import { jobs } from '../src/db/schema.js';
import type { JobRow } from '../src/services/job-rows.js';

/** The stored row of a job, read as the Worker reads it. */
export async function storedJob(id: string): Promise<JobRow> {
  const found = await dbOf(env.DB).select().from(jobs).where(eq(jobs.id, id)).get();
  if (!found) throw new Error(`no job ${id}`);
  return found;
}

/** The stored jobs holding an idempotency key (at most one while the key is live). */
export function storedJobsWithKey(key: string): Promise<JobRow[]> {
  return dbOf(env.DB).select().from(jobs).where(eq(jobs.idempotencyKey, key));
}
