import type { components } from '@onasis/client';
import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { ActionButton, PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { DataTable, Details } from '../../components/table.js';
import { useSession } from '../../session.js';
import { isPending, JobsTabs, Json, StatusBadge } from './job-bits.js';
import { useLive } from './use-live.js';

type Attempt = components['schemas']['JobAttempt'];
type JobDetail = components['schemas']['JobDetail'];

function Actions({ job, onDone }: { job: JobDetail; onDone: () => void }) {
  const path = { params: { path: { id: job.id } } };
  const replayable = job.status === 'dead' || job.status === 'failed';
  const cancellable = job.status === 'scheduled' || job.status === 'queued';
  if (!replayable && !cancellable) return null;
  return (
    <div class="toolbar">
      {replayable && (
        <ActionButton
          label="Retry"
          confirm="Run this job again with a fresh attempt budget?"
          run={() => client.POST('/api/v1/jobs/{id}/retry', path)}
          onDone={onDone}
        />
      )}
      {cancellable && (
        <ActionButton
          label="Cancel job"
          danger
          confirm="Cancel this job? It will not run."
          run={() => client.POST('/api/v1/jobs/{id}/cancel', path)}
          onDone={onDone}
        />
      )}
    </div>
  );
}

/** One job: its state, payload, result, every attempt with its error, and retry or cancel. */
export default function JobPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { can } = useSession();
  const job = useLive(
    () => client.GET('/api/v1/jobs/{id}', { params: { path: { id } } }),
    [id],
    (j) => isPending(j.status),
  );
  return (
    <section class="page">
      <PageHeader title={`Job ${id}`} />
      <JobsTabs />
      <Show state={job}>
        {(j) => (
          <>
            <p class="job-status">
              Status <StatusBadge status={j.status} />
              {isPending(j.status) && <span class="live"> (following: this page updates by itself)</span>}
            </p>
            {can('jobs:write') && <Actions job={j} onDone={job.reload} />}
            <Details
              items={[
                ['Type', <code key="t">{j.type}</code>],
                ['Attempts', `${j.attempts} of ${j.maxAttempts}`],
                ['Created', dateTime(j.createdAt)],
                ['Due', dateTime(j.runAt)],
                ['Finished', dateTime(j.finishedAt)],
                ['Idempotency key', j.idempotencyKey ?? '—'],
                ['Concurrency', j.concurrencyKey ? `${j.concurrencyKey} (limit ${j.concurrencyLimit ?? '—'})` : '—'],
                ['Back-off', `${j.backoff.baseSeconds} s, at most ${j.backoff.capSeconds} s`],
                ['Last error', j.lastError ? <span class="error-text">{j.lastError}</span> : '—'],
              ]}
            />
            <h2>Attempts</h2>
            <DataTable<Attempt>
              caption="Attempts, oldest first"
              rows={j.attemptLog}
              rowKey={(a) => String(a.attempt)}
              empty="No attempt has run yet."
              columns={[
                { label: 'Attempt', numeric: true, cell: (a) => a.attempt },
                { label: 'Started', cell: (a) => dateTime(a.startedAt) },
                { label: 'Duration', numeric: true, cell: (a) => (a.durationMs === null ? '—' : `${a.durationMs} ms`) },
                { label: 'Outcome', cell: (a) => (a.outcome ? <StatusBadge status={a.outcome} /> : 'running') },
                { label: 'Error', cell: (a) => (a.error ? <span class="error-text">{a.error}</span> : '—') },
              ]}
            />
            <h2>Payload</h2>
            <Json value={j.payload} />
            <h2>Result</h2>
            <Json value={j.result ?? undefined} />
          </>
        )}
      </Show>
    </section>
  );
}
