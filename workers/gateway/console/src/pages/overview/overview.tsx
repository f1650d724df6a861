import { useEffect } from 'preact/hooks';
import { client } from '../../api.js';
import { PageHeader } from '../../components/actions.js';
import { percent } from '../../components/format.js';
import { Show } from '../../components/states.js';
import { DataTable } from '../../components/table.js';
import { useLoad } from '../../components/use-load.js';
import { useSession } from '../../session.js';
import './overview.css';

/** How often the figures refresh while the page is open. */
const REFRESH_MS = 10_000;

type Overview = Awaited<ReturnType<typeof loadOverview>>;
type Service = Overview['services'][number];

const loadOverview = () => client.GET('/api/v1/overview');

/** Dead jobs waiting for a replay: the first page's count, "100+" beyond it. */
async function loadDeadJobs(): Promise<string> {
  const page = await client.GET('/api/v1/jobs/dead-letters', { params: { query: { limit: 100 } } });
  return page.nextCursor ? `${page.data.length}+` : String(page.data.length);
}

const rate = (n: number | null) => (n === null ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(0));
const ms = (n: number | null) => (n === null ? '—' : `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`);

function StateBadge({ state }: { state: string | null }) {
  if (state === null) return <span class="muted">—</span>;
  const tone =
    state === 'ok' || state === 'closed' ? 'ok' : state === 'half_open' || state === 'degraded' ? 'warn' : 'bad';
  return <span class={`badge ${tone}`}>{state.replace('_', '-')}</span>;
}

function Card({ label, value, name }: { label: string; value: string; name: string }) {
  return (
    <div class="card" data-figure={name}>
      <div class="label">{label}</div>
      <div class="value">{value}</div>
    </div>
  );
}

/** The first page: is the platform well, how busy, how fast, and what needs an operator now. */
export default function OverviewPage() {
  const { can } = useSession();
  const overview = useLoad(loadOverview, [], true);
  const deadJobs = useLoad(() => (can('jobs:read') ? loadDeadJobs() : Promise.resolve(null)), []);
  const { reload } = overview;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return (
    <section class="page overview">
      <PageHeader title="Overview">
        <p class="muted">
          {overview.data?.windowSeconds
            ? `Rates over the last ${Math.round(overview.data.windowSeconds / 60) || 1} min; refreshes every 10 s.`
            : 'Counts since the gateway started; rates appear with the next refresh.'}
        </p>
      </PageHeader>
      <Show state={overview}>
        {(data) => {
          const open = data.services.filter((s) => s.breaker === 'open' || s.breaker === 'half_open');
          return (
            <>
              <div class="cards">
                <Card name="status" label="Platform" value={data.status === 'ok' ? 'All services ok' : 'Degraded'} />
                <Card name="rps" label="Requests / s" value={rate(data.total.requestsPerSecond)} />
                <Card name="requests" label="Requests" value={String(data.total.requests)} />
                <Card name="error-rate" label="Error rate (5xx)" value={percent(data.total.errorRate, 2)} />
                <Card name="p95" label="p95 latency" value={ms(data.total.p95Ms)} />
                <Card name="cache" label="Cache hit ratio" value={percent(data.total.cacheHitRatio)} />
                <Card name="breakers" label="Open circuit breakers" value={String(open.length)} />
                {deadJobs.status === 'ready' && deadJobs.data !== null ? (
                  <a class="card card-link" href="/console/jobs/dead-letters" data-figure="dead-jobs">
                    <div class="label">Dead jobs</div>
                    <div class="value">{deadJobs.data}</div>
                  </a>
                ) : null}
              </div>
              {open.length > 0 ? (
                <p class="problem" role="status">
                  Circuit open for {open.map((s) => s.name).join(', ')}: the gateway answers 503 for them until a probe
                  succeeds.
                </p>
              ) : null}
              <h2>Services</h2>
              <DataTable<Service>
                caption="Each service's health and traffic"
                rows={data.services}
                rowKey={(s) => s.name}
                empty="No services."
                columns={[
                  { label: 'Service', cell: (s) => s.name },
                  { label: 'Health', cell: (s) => <StateBadge state={s.health} /> },
                  { label: 'Breaker', cell: (s) => <StateBadge state={s.breaker} /> },
                  { label: 'Requests', numeric: true, cell: (s) => s.requests },
                  { label: 'Req/s', numeric: true, cell: (s) => rate(s.requestsPerSecond) },
                  { label: 'Errors', numeric: true, cell: (s) => percent(s.errorRate, 2) },
                  { label: 'p95', numeric: true, cell: (s) => ms(s.p95Ms) },
                ]}
              />
            </>
          );
        }}
      </Show>
    </section>
  );
}
