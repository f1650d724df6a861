import type { components } from '@onasis/client';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { bytes, dateTime, money } from '../../components/format.js';
import { Pager, useList } from '../../components/list.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import './analytics.css';

type Aggregate = components['schemas']['PlatformAggregate'];

function Card({ label, value }: { label: string; value: string }) {
  return (
    <div class="card">
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

/** Amounts per currency as "$12.00 · €3.00"; '—' for none. */
const amounts = (per: Record<string, number> | undefined) => {
  const entries = Object.entries(per ?? {});
  return entries.length === 0 ? '—' : entries.map(([currency, n]) => money(n, currency)).join(' · ');
};

/** The platform's business figures over the last 30 days (`analytics:manage`). */
function PlatformFigures() {
  const figures = useLoad(() => client.GET('/api/v1/analytics/platform', { params: { query: { period: '30d' } } }), []);
  return (
    <section aria-labelledby="platform-title">
      <h2 id="platform-title">Platform, last 30 days</h2>
      <Show state={figures}>
        {(answer) => {
          // Without `interval` the API answers one aggregate, never a series.
          const f: Aggregate = Array.isArray(answer.data) ? {} : answer.data;
          return (
            <div class="cards">
              <Card label="Signups" value={String(f.signups ?? 0)} />
              <Card label="Daily active users" value={String(f.active_users?.daily ?? 0)} />
              <Card label="Weekly active users" value={String(f.active_users?.weekly ?? 0)} />
              <Card label="Monthly active users" value={String(f.active_users?.monthly ?? 0)} />
              <Card label="Revenue" value={amounts(f.revenue)} />
              <Card label="Refunds" value={amounts(f.refunds)} />
              <Card label="Monthly recurring revenue" value={amounts(f.mrr)} />
              <Card label="Storage uploaded" value={bytes(f.storage_uploaded ?? 0)} />
            </div>
          );
        }}
      </Show>
    </section>
  );
}

/** Analytics: the user's sites, each opening the analytics dashboard; the platform figures for `analytics:manage`. */
export default function AnalyticsPage() {
  const { can } = useSession();
  const sites = useList([], (_f, cursor) =>
    client.GET('/api/v1/analytics/sites', { params: { query: { cursor, limit: 25 } } }),
  );
  return (
    <section class="page">
      <PageHeader title="Analytics" />
      {can('analytics:manage') && <PlatformFigures />}
      <h2>Sites</h2>
      <p class="hint">Each site's traffic, sources, pages, goals and funnels are on the analytics dashboard.</p>
      <Show state={sites}>
        {(page) => (
          <DataTable
            caption="Sites, newest first"
            rows={page.data}
            rowKey={(s) => s.id}
            empty="No sites yet: create one with POST /api/v1/analytics/sites."
            columns={[
              { label: 'Site', cell: (s) => s.name },
              { label: 'Domain', cell: (s) => s.domain },
              { label: 'Time zone', cell: (s) => s.timezone },
              { label: 'Created', cell: (s) => dateTime(s.createdAt) },
              {
                label: 'Dashboard',
                cell: (s) => <a href={`/dashboard#site=${encodeURIComponent(s.id)}`}>Open the dashboard of {s.name}</a>,
              },
            ]}
          />
        )}
      </Show>
      <Pager list={sites} />
    </section>
  );
}
