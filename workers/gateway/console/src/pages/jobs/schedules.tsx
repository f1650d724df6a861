import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { ActionButton, PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import { type Job, JobLink, JobsTabs, StatusBadge } from './job-bits.js';

type Schedule = components['schemas']['JobSchedule'];

function LastRun({ run }: { run: Schedule['lastRun'] }) {
  if (!run) return <>never</>;
  return (
    <>
      <StatusBadge status={run.status} /> {dateTime(run.startedAt ?? run.scheduledTime)}
      {run.durationMs !== null && ` · ${run.durationMs} ms`}
      <br />
      <JobLink id={run.jobId} />
      {run.error && <div class="error-text">{run.error}</div>}
    </>
  );
}

/** The cron schedules declared in code: their last and next run, and "Run now". */
export default function SchedulesPage() {
  const { can } = useSession();
  const [started, setStarted] = useState<{ schedule: string; job: Job } | null>(null);
  const schedules = useLoad(() => client.GET('/api/v1/jobs/schedules'), []);
  const runNow = (s: Schedule) => (
    <ActionButton
      label={`Run ${s.name} now`}
      run={async () => {
        const job = await client.POST('/api/v1/jobs/schedules/{name}/run', { params: { path: { name: s.name } } });
        setStarted({ schedule: s.name, job });
      }}
      onDone={schedules.reload}
    />
  );
  return (
    <section class="page">
      <PageHeader title="Schedules" />
      <JobsTabs />
      {started && (
        <p class="notice" role="status">
          Started a run of {started.schedule}: job <JobLink id={started.job.id} />.
        </p>
      )}
      <Show state={schedules}>
        {(page) => (
          <DataTable<Schedule>
            caption="Cron schedules (UTC)"
            rows={page.data}
            rowKey={(s) => s.name}
            empty="No schedules are declared."
            columns={[
              { label: 'Schedule', cell: (s) => <strong>{s.name}</strong> },
              { label: 'Cron', cell: (s) => <code class="nowrap">{s.cron}</code> },
              { label: 'Job type', cell: (s) => <code>{s.jobType}</code> },
              { label: 'Last run', cell: (s) => <LastRun run={s.lastRun} /> },
              { label: 'Next run', cell: (s) => dateTime(s.nextRun) },
              ...(can('jobs:write') ? [{ label: 'Action', cell: runNow }] : []),
            ]}
          />
        )}
      </Show>
    </section>
  );
}
