import type { components } from '@onasis/client';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { VerifyChain } from './verify-chain.js';
import './audit.css';

type Entry = components['schemas']['AuditEntry'];

/** A `datetime-local` value (the user's local time) as the ISO instant the API filters by. */
function instant(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

const outcomeOf = (value: string | undefined) => (value === 'success' || value === 'failure' ? value : undefined);

/** Who did what, when: newest first, filtered by actor, action, target, outcome and time; and the chain's check. */
export default function AuditLogPage() {
  const list = useList(['actorId', 'action', 'targetId', 'outcome', 'from', 'to'], (f, cursor) =>
    client.GET('/api/v1/audit-logs', {
      params: {
        query: {
          actorId: f.actorId,
          action: f.action,
          targetId: f.targetId,
          outcome: outcomeOf(f.outcome),
          from: instant(f.from),
          to: instant(f.to),
          cursor,
          limit: 25,
        },
      },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Audit log" />
      <VerifyChain />
      <FilterBar
        list={list}
        fields={[
          { name: 'actorId', label: 'Actor ID', placeholder: 'usr_…' },
          { name: 'action', label: 'Action', placeholder: 'user.disabled' },
          { name: 'targetId', label: 'Target ID' },
          {
            name: 'outcome',
            label: 'Outcome',
            options: [
              ['', 'Any'],
              ['success', 'Success'],
              ['failure', 'Failure'],
            ],
          },
          { name: 'from', label: 'From', type: 'datetime-local' },
          { name: 'to', label: 'Before', type: 'datetime-local' },
        ]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable<Entry>
            caption="Audit log entries, newest first"
            rows={page.data}
            rowKey={(e) => e.id}
            empty="No entries match these filters."
            columns={[
              { label: 'Seq', numeric: true, cell: (e) => e.seq },
              { label: 'Time', cell: (e) => dateTime(e.occurredAt) },
              { label: 'Action', cell: (e) => <code>{e.action}</code> },
              {
                label: 'Outcome',
                cell: (e) => <span class={`badge ${e.outcome === 'success' ? 'ok' : 'bad'}`}>{e.outcome}</span>,
              },
              { label: 'Actor', cell: (e) => <Who id={e.actorId} /> },
              { label: 'Target', cell: (e) => (e.targetId ? <Who id={e.targetId} type={e.targetType} /> : '—') },
              { label: 'IP', cell: (e) => e.ip ?? '—' },
              { label: 'Request ID', cell: (e) => (e.requestId ? <code>{e.requestId}</code> : '—') },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}

/** An id, linked to the user's page when it names a user. */
function Who({ id, type }: { id: string | null; type?: string | null }) {
  if (!id) return <span class="muted">system</span>;
  const label = type && type !== 'user' ? `${type} ${id}` : id;
  return id.startsWith('usr_') ? <a href={`/console/users/${id}`}>{label}</a> : <code>{label}</code>;
}
