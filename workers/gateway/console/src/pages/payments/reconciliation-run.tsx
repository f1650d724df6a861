import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { DataTable, Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { PaymentsTabs, StatusBadge } from './payment-bits.js';

/** One reconciliation run: what it compared and repaired, its error, and every mismatch it found. */
export default function ReconciliationRunPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const run = useLoad(
    () => client.GET('/api/v1/payments/reconciliation-runs/{id}', { params: { path: { id } } }),
    [id],
  );
  return (
    <section class="page">
      <PageHeader title={`Reconciliation run ${id}`} />
      <PaymentsTabs />
      <Show state={run}>
        {(r) => (
          <>
            <Details
              items={[
                ['Status', <StatusBadge key="s" status={r.status} />],
                ['Provider', r.provider],
                ['Events since', dateTime(r.since)],
                ['Events checked', r.eventsChecked],
                ['Events repaired', r.eventsRepaired],
                ['Error', r.error ?? '—'],
                ['Started', dateTime(r.startedAt)],
                ['Finished', dateTime(r.finishedAt)],
              ]}
            />
            <h2>Mismatches</h2>
            <DataTable
              caption="Mismatches found"
              rows={r.mismatches}
              rowKey={(m) => `${m.kind}:${m.objectId}`}
              empty="No mismatch: the provider and the platform agree."
              columns={[
                { label: 'Kind', cell: (m) => m.kind },
                { label: 'Object', cell: (m) => <code>{m.objectId}</code> },
                { label: 'Detail', cell: (m) => m.detail },
              ]}
            />
          </>
        )}
      </Show>
    </section>
  );
}
