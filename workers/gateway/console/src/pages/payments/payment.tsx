import type { components } from '@onasis/client';
import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime, money } from '../../components/format.js';
import { Empty, Show } from '../../components/states.js';
import { DataTable, Details } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { PaymentsTabs, StatusBadge } from './payment-bits.js';
import { RefundForm } from './refund-form.js';

type TimelineEvent = components['schemas']['PaymentTimelineEvent'];

const KIND_LABEL: Record<TimelineEvent['kind'], string> = {
  created: 'Created',
  captured: 'Captured',
  refund_requested: 'Refund asked for',
  refunded: 'Refunded',
  refund_failed: 'Refund failed',
  disputed: 'Disputed',
  dispute_reversed: 'Dispute reversed',
  fee: 'Fee',
  failed: 'Failed',
  canceled: 'Canceled',
};

function Timeline({ events, currency }: { events: TimelineEvent[]; currency: string }) {
  if (events.length === 0) return <Empty>Nothing has happened to this payment yet.</Empty>;
  return (
    <ol class="timeline" aria-label="Timeline">
      {events.map((e, i) => (
        <li key={`${e.objectId}:${e.kind}:${i}`} data-kind={e.kind}>
          <time dateTime={e.at}>{dateTime(e.at)}</time>
          <strong>{KIND_LABEL[e.kind]}</strong>
          {e.amount !== null && <> {money(e.amount, currency)}</>} <code>{e.objectId}</code>
          {e.detail && <span class="hint"> — {e.detail}</span>}
        </li>
      ))}
    </ol>
  );
}

/** One payment: what it is, its timeline, its refunds, and "Refund" (all that is left, or part of it). */
export default function PaymentPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [version, setVersion] = useState(0);
  const path = { params: { path: { id } } };
  const payment = useLoad(() => client.GET('/api/v1/payments/intents/{id}', path), [id, version]);
  const events = useLoad(() => client.GET('/api/v1/payments/intents/{id}/events', path), [id, version]);
  const refunds = useLoad(() => client.GET('/api/v1/payments/intents/{id}/refunds', path), [id, version]);
  const changed = () => setVersion((v) => v + 1);
  return (
    <section class="page">
      <PageHeader title={`Payment ${id}`} />
      <PaymentsTabs />
      <Show state={payment}>
        {(p) => (
          <>
            <Details
              items={[
                ['Status', <StatusBadge key="s" status={p.status} />],
                ['Amount', money(p.amount, p.currency)],
                ['Captured', money(p.amountCaptured, p.currency)],
                ['Refunded', money(p.amountRefunded, p.currency)],
                ['Provider', p.provider],
                ['Payer', <code key="u">{p.userId}</code>],
                ['Description', p.description ?? '—'],
                ['Last error', p.lastError ? `${p.lastError.code}: ${p.lastError.message}` : '—'],
                ['Created', dateTime(p.createdAt)],
                ['Updated', dateTime(p.updatedAt)],
              ]}
            />
            <h2>Timeline</h2>
            <Show state={events}>{(page) => <Timeline events={page.data} currency={p.currency} />}</Show>
            <h2>Refunds</h2>
            <Show state={refunds}>
              {(page) => (
                <DataTable
                  caption="Refunds, newest first"
                  rows={page.data}
                  rowKey={(r) => r.id}
                  empty="No refunds."
                  columns={[
                    { label: 'Refund', cell: (r) => <code>{r.id}</code> },
                    { label: 'Amount', numeric: true, cell: (r) => money(r.amount, r.currency) },
                    { label: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
                    { label: 'Reason', cell: (r) => r.reason ?? '—' },
                    { label: 'Created', cell: (r) => dateTime(r.createdAt) },
                  ]}
                />
              )}
            </Show>
            {p.status === 'succeeded' && (
              <>
                <h2>Refund</h2>
                <RefundForm payment={p} onDone={changed} />
              </>
            )}
          </>
        )}
      </Show>
    </section>
  );
}
