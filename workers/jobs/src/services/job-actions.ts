import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, dbOf } from '../db/client.js';
import { jobs } from '../db/schema.js';
import { closeScheduleRun } from './close-schedule-run.js';
import { findJob, type JobRow } from './job-rows.js';
import { sendJob } from './send-job.js';

/** The job after the action, or why the action did not apply: no such job, or a state it does not accept. */
type ActionResult = { ok: true; row: JobRow } | { ok: false; code: 'NOT_FOUND' | 'CONFLICT'; detail: string };

async function refusal(db: Db, id: string, wanted: string): Promise<ActionResult> {
  const row = await findJob(db, id);
  if (!row) return { ok: false, code: 'NOT_FOUND', detail: `No job ${id}.` };
  return { ok: false, code: 'CONFLICT', detail: `Job ${id} is ${row.status}; only a ${wanted} job can be.` };
}

/**
 * Cancels a pending job (scheduled or queued) with one conditional UPDATE; its queue message or scheduler timer
 * finds it cancelled and is dropped. Cancelling twice answers 409 the second time, and changes nothing.
 */
export async function cancelJob(db: Db, id: string, now = new Date()): Promise<ActionResult> {
  const at = now.toISOString();
  const [row] = await db
    .update(jobs)
    .set({ status: 'cancelled', leaseUntil: null, finishedAt: at, updatedAt: at })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['scheduled', 'queued'])))
    .returning();
  if (!row) return refusal(db, id, 'scheduled or queued');
  // Lost if interrupted here: the run stays `queued` in /schedules until purged, the job itself is cancelled.
  await closeScheduleRun(db, id, {
    status: 'cancelled',
    startedAt: null,
    finishedAt: at,
    durationMs: null,
    error: null,
  });
  return { ok: true, row };
}

/**
 * Replays a dead (or failed) job: back to `queued` with a fresh attempt budget (attempts so far move to
 * `attempts_base`, so attempt numbers keep growing and the history stays). The conditional UPDATE lets one of two
 * racing replays win; the other gets 409. If the send fails, `sent_at IS NULL` leaves the job to the sweep.
 */
export async function replayJob(env: JobsEnv, id: string, now = new Date()): Promise<ActionResult> {
  const at = now.toISOString();
  const db = dbOf(env.DB);
  const [row] = await db
    .update(jobs)
    .set({
      status: 'queued',
      attemptsBase: sql`${jobs.attempts}`,
      sentAt: null,
      leaseUntil: null,
      finishedAt: null,
      runAt: at,
      updatedAt: at,
    })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ['dead', 'failed'])))
    .returning();
  if (!row) return refusal(db, id, 'dead or failed');
  await sendJob(env, row, now);
  return { ok: true, row };
}
