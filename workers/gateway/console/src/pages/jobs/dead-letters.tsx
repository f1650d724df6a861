import { useLocation } from 'preact-iso';
import { client } from '../../api.js';
import { ActionButton, PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useSession } from '../../session.js';
import { type Job, JobLink, JobsTabs } from './job-bits.js';

/** Jobs out of attempts, with their last error, and a replay that then follows the job on its page. */
export default function DeadLettersPage() {
  const { can } = useSession();
  const { route } = useLocation();
  const list = useList([], (_f, cursor) =>
    client.GET('/api/v1/jobs/dead-letters', { params: { query: { cursor, limit: 25 } } }),
  );
  const replay = (job: Job) => (
    <ActionButton
      label="Replay"
      confirm={`Replay ${job.type} with a fresh attempt budget?`}
      run={() => client.POST('/api/v1/jobs/{id}/retry', { params: { path: { id: job.id } } })}
      onDone={() => route(`/console/jobs/${encodeURIComponent(job.id)}`)}
    />
  );
  return (
    <section class="page">
      <PageHeader title="Dead letters" />
      <JobsTabs />
      <p class="muted">Jobs that ran out of attempts, newest first. A replay runs the same payload again.</p>
      <Show state={list}>
        {(page) => (
          <DataTable<Job>
            caption="Dead jobs"
            rows={page.data}
            rowKey={(j) => j.id}
            empty="No dead jobs: every job finished or is still trying."
            columns={[
              { label: 'Job', cell: (j) => <JobLink id={j.id} /> },
              { label: 'Type', cell: (j) => j.type },
              { label: 'Attempts', numeric: true, cell: (j) => j.attempts },
              { label: 'Died', cell: (j) => dateTime(j.finishedAt ?? j.updatedAt) },
              { label: 'Last error', cell: (j) => <span class="error-text">{j.lastError ?? '—'}</span> },
              ...(can('jobs:write') ? [{ label: 'Action', cell: replay }] : []),
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
