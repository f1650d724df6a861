import type { components } from '@onasis/client';
import './jobs.css';
import { AreaTabs } from '../../components/tabs.js';

/** A job as the API shows it. */
export type Job = components['schemas']['Job'];
/** A job's status. */
export type JobStatus = Job['status'];

/** Every status a job can have, in lifecycle order, with how the filter names it. */
export const JOB_STATUSES: readonly (readonly [JobStatus, string])[] = [
  ['scheduled', 'Scheduled'],
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['succeeded', 'Succeeded'],
  ['failed', 'Failed'],
  ['dead', 'Dead'],
  ['cancelled', 'Cancelled'],
];

const TONE: Record<string, string> = {
  succeeded: 'ok',
  failed: 'bad',
  dead: 'bad',
  queued: 'warn',
  running: 'warn',
  scheduled: 'warn',
};

/** A status as a badge whose colour says good, bad or pending (the word itself carries the meaning). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge ${TONE[status] ?? ''}`}>{status}</span>;
}

/** Whether a job can still change on its own (the job page keeps asking until it cannot). */
export function isPending(status: string): boolean {
  return status === 'scheduled' || status === 'queued' || status === 'running';
}

const TABS = [
  ['/console/jobs', 'All jobs'],
  ['/console/jobs/dead-letters', 'Dead letters'],
  ['/console/jobs/schedules', 'Schedules'],
] as const;

/** The Jobs area's own navigation. */
export function JobsTabs() {
  return <AreaTabs label="Jobs views" tabs={TABS} />;
}

/** A job id as a link to its page. */
export function JobLink({ id }: { id: string }) {
  return (
    <a href={`/console/jobs/${encodeURIComponent(id)}`}>
      <code>{id}</code>
    </a>
  );
}

/** JSON as indented text (a payload, a result). */
export function Json({ value }: { value: unknown }) {
  return <pre class="json">{value === undefined ? '—' : JSON.stringify(value, null, 2)}</pre>;
}
