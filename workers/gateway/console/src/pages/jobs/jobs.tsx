import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { JOB_STATUSES, type Job, JobLink, type JobStatus, JobsTabs, StatusBadge } from './job-bits.js';

const isStatus = (value: string | undefined): value is JobStatus => JOB_STATUSES.some(([s]) => s === value);

/** Every job, newest first, filtered by status and type from the URL. */
export default function JobsPage() {
  const list = useList(['status', 'type'], (f, cursor) =>
    client.GET('/api/v1/jobs', {
      params: { query: { status: isStatus(f.status) ? f.status : undefined, type: f.type, cursor, limit: 25 } },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Jobs" />
      <JobsTabs />
      <FilterBar
        list={list}
        fields={[
          { name: 'status', label: 'Status', options: [['', 'Any status'], ...JOB_STATUSES] },
          { name: 'type', label: 'Type', type: 'search', placeholder: 'notifications.send' },
        ]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable<Job>
            caption="Jobs, newest first"
            rows={page.data}
            rowKey={(j) => j.id}
            empty="No jobs match these filters."
            columns={[
              { label: 'Job', cell: (j) => <JobLink id={j.id} /> },
              { label: 'Type', cell: (j) => j.type },
              { label: 'Status', cell: (j) => <StatusBadge status={j.status} /> },
              { label: 'Attempts', numeric: true, cell: (j) => `${j.attempts} / ${j.maxAttempts}` },
              { label: 'Created', cell: (j) => dateTime(j.createdAt) },
              { label: 'Last error', cell: (j) => (j.lastError ? <span class="error-text">{j.lastError}</span> : '—') },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
