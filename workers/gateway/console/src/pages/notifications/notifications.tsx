import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { dateTime } from '../../components/format.js';
import { FilterBar, Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import {
  CHANNELS,
  DELIVERY_STATUSES,
  type Delivery,
  DeliveryLink,
  DeliveryStatus,
  NotificationsTabs,
} from './notification-bits.js';

const pick = <T extends string>(list: readonly (readonly [T, string])[], value: string | undefined) =>
  list.find(([v]) => v === value)?.[0];

/** The delivery log: every message sent or being sent, filtered by channel, status, recipient and template. */
export default function DeliveriesPage() {
  const list = useList(['channel', 'status', 'recipient', 'template'], (f, cursor) =>
    client.GET('/api/v1/notifications/deliveries', {
      params: {
        query: {
          channel: pick(CHANNELS, f.channel),
          status: pick(DELIVERY_STATUSES, f.status),
          // An address (it has an @ or starts with +) or what the sender addressed (a user id, `slack`).
          ...(f.recipient && /[@+]/.test(f.recipient) ? { address: f.recipient } : { recipient: f.recipient }),
          template: f.template,
          cursor,
          limit: 25,
        },
      },
    }),
  );
  return (
    <section class="page">
      <PageHeader title="Notifications" />
      <NotificationsTabs />
      <FilterBar
        list={list}
        fields={[
          { name: 'channel', label: 'Channel', options: [['', 'Any channel'], ...CHANNELS] },
          { name: 'status', label: 'Status', options: [['', 'Any status'], ...DELIVERY_STATUSES] },
          { name: 'recipient', label: 'Recipient', type: 'search', placeholder: 'usr_… or ada@example.com' },
          { name: 'template', label: 'Template', type: 'search', placeholder: 'identity.verify-email' },
        ]}
      />
      <Show state={list}>
        {(page) => (
          <DataTable<Delivery>
            caption="Deliveries, newest first"
            rows={page.data}
            rowKey={(d) => d.id}
            empty="No deliveries match these filters."
            columns={[
              { label: 'Delivery', cell: (d) => <DeliveryLink id={d.id} /> },
              { label: 'To', cell: (d) => d.address ?? d.recipient },
              { label: 'Channel', cell: (d) => d.channel },
              { label: 'Template', cell: (d) => <code>{d.template}</code> },
              { label: 'Status', cell: (d) => <DeliveryStatus status={d.status} /> },
              { label: 'Provider', cell: (d) => d.provider ?? '—' },
              { label: 'Attempts', numeric: true, cell: (d) => d.attempts },
              { label: 'Created', cell: (d) => dateTime(d.createdAt) },
            ]}
          />
        )}
      </Show>
      <Pager list={list} />
    </section>
  );
}
