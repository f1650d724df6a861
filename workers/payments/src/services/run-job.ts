import { JOB_TYPES, type JobOutcome, type JobRun, rpcInput } from '@onasis/contracts';
import { providerFor } from '../providers/index.js';
import type { ProviderName } from '../providers/provider.js';
import { endGracePeriods } from './end-grace-periods.js';
import { eraseUser } from './erase-user.js';
import { type ReconcileEnv, reconcile } from './reconcile.js';

const notRetryable = (detail: string): JobOutcome => ({
  ok: false,
  error: { code: 'BAD_REQUEST', detail },
  retryable: false,
});

/** A daily run looks back two days, so one missed day is still covered by the next. */
const DEFAULT_SINCE_HOURS = 48;

/** The real providers configured here that list their events (the sandbox sends all of its own). */
function reconcilable(env: ReconcileEnv): ProviderName[] {
  return (['stripe', 'paypal'] as const).filter((name) => providerFor(env, name)?.listEvents !== undefined);
}

/**
 * `payments.reconcile`: one run per provider (the one named, or every configured real provider; none configured is
 * a success that did nothing). A failed run fails the job, which the jobs Worker retries: every run starts afresh
 * and repairs only through the event path, so a retry applies nothing twice.
 */
async function reconcileJob(env: ReconcileEnv, run: JobRun): Promise<JobOutcome> {
  const input = rpcInput(JOB_TYPES['payments.reconcile'].payload, run.payload);
  if (!input.ok) return { ...input, retryable: false };
  const configured = reconcilable(env);
  const { provider, sinceHours = DEFAULT_SINCE_HOURS } = input.data;
  if (provider !== undefined && !configured.includes(provider))
    return notRetryable(`${provider} is not configured here`);
  const due = Date.parse(run.scheduledFor);
  const since = new Date((Number.isNaN(due) ? Date.now() : due) - sinceHours * 3600_000);
  const runs = [];
  for (const name of provider === undefined ? configured : [provider])
    runs.push(await reconcile(env, { provider: name, since }));
  const summary = runs.map((r) => ({
    id: r.id,
    provider: r.provider,
    status: r.status,
    repaired: r.eventsRepaired,
    mismatches: r.mismatches.length,
  }));
  const failed = runs.filter((r) => r.status === 'failed');
  if (failed.length > 0)
    return {
      ok: false,
      error: { code: 'UPSTREAM_FAILED', detail: failed.map((r) => `${r.id}: ${r.error}`).join('; ') },
    };
  return { ok: true, data: { runs: summary } };
}

/**
 * One attempt of a payments job (`PaymentsService.runJob`). Each is safe to repeat: reconciliation repairs through
 * the idempotent event path, maintenance converges, and erasure only touches what still holds personal data.
 */
export async function runPaymentsJob(env: ReconcileEnv, run: JobRun): Promise<JobOutcome> {
  switch (run.type) {
    case 'payments.reconcile':
      return reconcileJob(env, run);
    case 'payments.maintenance':
      return { ok: true, data: await endGracePeriods(env, new Date()) };
    case 'payments.erase-user': {
      const input = rpcInput(JOB_TYPES['payments.erase-user'].payload, run.payload);
      if (!input.ok) return { ...input, retryable: false };
      return { ok: true, data: { ...(await eraseUser(env, input.data.userId)) } };
    }
    default:
      return notRetryable(`payments runs no ${run.type} jobs`);
  }
}
