import type { JobType } from '@onasis/contracts';

/** A recurring job, fired by the Cron Trigger with the same `cron` string. */
export interface Schedule {
  name: string;
  /** Standard five-field cron, UTC; `wrangler.toml`'s `[triggers] crons` lists each distinct string once. */
  cron: string;
  type: JobType;
  payload: Record<string, unknown>;
}

/** The platform's recurring maintenance. Adding one here needs its cron in wrangler.toml too (a test checks). */
export const SCHEDULES: readonly Schedule[] = [
  { name: 'identity-maintenance', cron: '*/10 * * * *', type: 'identity.maintenance', payload: {} },
  // Every five minutes: it re-queues deliveries stranded by a failed enqueue (a reset mail must not wait for the night).
  { name: 'notifications-maintenance', cron: '*/5 * * * *', type: 'notifications.maintenance', payload: {} },
  { name: 'jobs-purge', cron: '30 3 * * *', type: 'jobs.purge', payload: { olderThanDays: 30 } },
  // Daily, in a quiet hour after the purge: every configured real provider's last two days compared and repaired.
  { name: 'payments-reconcile', cron: '15 4 * * *', type: 'payments.reconcile', payload: {} },
  // Hourly: a past-due subscription whose grace period ended loses its plan within the hour.
  { name: 'payments-maintenance', cron: '45 * * * *', type: 'payments.maintenance', payload: {} },
  // Hourly: stale uploads aborted and their space released within the hour; trash, orphans and cold blobs swept.
  { name: 'files-lifecycle', cron: '20 * * * *', type: 'files.lifecycle', payload: {} },
  // Daily, before the jobs purge: raw analytics events past retention deleted in chunks; rollups stay.
  { name: 'analytics-purge', cron: '50 2 * * *', type: 'analytics.purge', payload: {} },
];
