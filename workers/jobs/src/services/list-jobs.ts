import type { JobStatus } from '@onasis/contracts';
import { afterCreatedAt } from '@onasis/http';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { jobs } from '../db/schema.js';
import type { JobRow } from './job-rows.js';

/** Where a job stands in the list order: what a list cursor holds, and what `after` takes back. */
type Position = { createdAt: string; id: string };

/** One page (plus one row, to tell whether another page exists) of jobs, newest first by creation time, then id. */
export function listJobs(
  db: Db,
  filter: { status?: JobStatus; type?: string; after?: Position; limit: number },
): Promise<JobRow[]> {
  const { status, type, after } = filter;
  return db
    .select()
    .from(jobs)
    .where(
      and(
        status === undefined ? undefined : eq(jobs.status, status),
        type === undefined ? undefined : eq(jobs.type, type),
        afterCreatedAt(jobs, after, 'desc'),
      ),
    )
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(filter.limit + 1);
}
