import { createLogger } from '@onasis/http';
import { moveColdBlobs } from './lifecycle-cold.js';
import { deleteExpiredGrants } from './lifecycle-expired.js';
import { collectUnreferenced } from './lifecycle-orphans.js';
import type { StepResult } from './lifecycle-purge.js';
import { sweepStrayObjects } from './lifecycle-strays.js';
import { purgeTrash } from './lifecycle-trash.js';
import { abortStaleUploads } from './lifecycle-uploads.js';

const log = createLogger({ service: 'files' });

/** What one lifecycle run did, step by step, and which steps failed (each logged). */
export interface LifecycleReport {
  steps: Record<string, unknown>;
  failed: string[];
  /** Whether some step left due rows for the next run. */
  more: boolean;
}

const hasMore = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  ('more' in value ? (value as StepResult).more : Object.values(value).some(hasMore));

/**
 * One `files.lifecycle` run: each step in order, each bounded (a chunk of rows per run), each idempotent. Rows left
 * over wait for the next hourly run. A failing step is logged and does not stop the others, so one bad object cannot
 * starve the rest of the sweep; the run then reports failure and the jobs Worker retries it, which repeats only
 * what is still due. The trash purge runs before the unreferenced-blob step, so blobs it frees go in the same run.
 */
export async function runLifecycle(env: FilesEnv, now: Date): Promise<LifecycleReport> {
  const steps: [string, () => Promise<unknown>][] = [
    ['staleUploads', () => abortStaleUploads(env, now)],
    ['expired', () => deleteExpiredGrants(env, now)],
    ['trash', () => purgeTrash(env, now)],
    ['unreferencedBlobs', () => collectUnreferenced(env)],
    ['infrequentAccess', () => moveColdBlobs(env, now)],
    ['strayObjects', () => sweepStrayObjects(env, now)],
  ];
  const report: LifecycleReport = { steps: {}, failed: [], more: false };
  for (const [name, step] of steps) {
    try {
      report.steps[name] = await step();
      report.more ||= hasMore(report.steps[name]);
    } catch (err) {
      report.failed.push(name);
      log.error('lifecycle step failed', { step: name, error: String(err) });
    }
  }
  return report;
}
