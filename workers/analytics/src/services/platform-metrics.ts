import type { PlatformEventType } from '@onasis/contracts';
import { and, countDistinct, gte, inArray, isNotNull, lt, lte, sql, sum } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { platformDaily, platformEvents } from '../db/schema.js';
import { bucketsOf, type DateRange } from './periods.js';
import type { PlatformMetric, PlatformQuery } from './platform-query.js';
import { addDays } from './site-time.js';

/** Every event type: named in the active-users query so that the (type, date) index serves its date range. */
const EVENT_TYPES: PlatformEventType[] = [
  'user.registered',
  'user.signed-in',
  'payment.succeeded',
  'payment.refunded',
  'subscription.started',
  'subscription.canceled',
  'file.uploaded',
  'file.deleted',
];

/** Figures summed per currency: `revenue:usd`… in platform_daily. */
const PER_CURRENCY = { revenue: 'revenue:', refunds: 'refunds:' } as const;
const MRR_DELTA = 'mrr_delta:';

/** Distinct users active in the last 1, 7 and 30 days. */
export interface ActiveUsers {
  daily: number;
  weekly: number;
  monthly: number;
}

type Money = Record<string, number>;

/** Figures of a period or bucket: counts and bytes as numbers, money per currency. */
interface Figures {
  signups?: number;
  revenue?: Money;
  refunds?: Money;
  mrr?: Money;
  storage_uploaded?: number;
  storage_deleted?: number;
  subscriptions_started?: number;
  subscriptions_canceled?: number;
}

/** The aggregate answer. */
export type PlatformAggregate = Figures & { active_users?: ActiveUsers };

/** One timeseries point. */
export type PlatformPoint = Figures & { date: string; active_users?: number };

type DailyRow = { date: string; metric: string; value: number };

/** Distinct users with any business event from `from` to `to`. */
async function distinctUsers(db: Db, from: string, to: string): Promise<number> {
  const row = await db
    .select({ n: countDistinct(platformEvents.userId) })
    .from(platformEvents)
    .where(
      and(
        inArray(platformEvents.type, EVENT_TYPES),
        gte(platformEvents.date, from),
        lte(platformEvents.date, to),
        isNotNull(platformEvents.userId),
      ),
    )
    .get();
  return row?.n ?? 0;
}

/** The MRR of each currency at the end of `before − 1`: every monthly delta of the days before it, added up. */
async function mrrBefore(db: Db, before: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ metric: platformDaily.metric, total: sum(platformDaily.value).mapWith(Number) })
    .from(platformDaily)
    // A range of the primary key (metric, date): `;` sorts right after `:`.
    .where(
      and(gte(platformDaily.metric, MRR_DELTA), lt(platformDaily.metric, 'mrr_delta;'), lt(platformDaily.date, before)),
    )
    .groupBy(platformDaily.metric)
    .all();
  return Object.fromEntries(rows.map((r) => [r.metric.slice(MRR_DELTA.length), r.total]));
}

function dailyRows(db: Db, range: DateRange): Promise<DailyRow[]> {
  return db
    .select()
    .from(platformDaily)
    .where(and(gte(platformDaily.date, range.from), lte(platformDaily.date, range.to)))
    .all();
}

const addTo = (into: Record<string, number>, key: string, value: number) => {
  into[key] = (into[key] ?? 0) + value;
};

/** The summed figures of `rows` (active users and MRR excepted: they are not sums of days). */
function sums(rows: DailyRow[], metrics: PlatformMetric[]): Figures {
  const out: Figures = {};
  for (const metric of metrics) {
    if (metric === 'active_users' || metric === 'mrr') continue;
    if (metric === 'revenue' || metric === 'refunds') {
      const money: Money = {};
      const prefix = PER_CURRENCY[metric];
      for (const r of rows) if (r.metric.startsWith(prefix)) addTo(money, r.metric.slice(prefix.length), r.value);
      out[metric] = money;
    } else out[metric] = rows.reduce((n, r) => (r.metric === metric ? n + r.value : n), 0);
  }
  return out;
}

/**
 * The aggregate of `query.range` (UTC days): sums over the range; `mrr` as it stands at the range's end (every
 * monthly delta up to it); `active_users` as the distinct users of the 1, 7 and 30 days ending on the range's end.
 */
export async function platformAggregate(db: Db, query: PlatformQuery): Promise<PlatformAggregate> {
  const { range, metrics } = query;
  const [rows, mrr, active] = await Promise.all([
    dailyRows(db, range),
    metrics.includes('mrr') ? mrrBefore(db, addDays(range.to, 1)) : Promise.resolve({}),
    metrics.includes('active_users')
      ? Promise.all([1, 7, 30].map((days) => distinctUsers(db, addDays(range.to, 1 - days), range.to)))
      : Promise.resolve([0, 0, 0]),
  ]);
  const out: PlatformAggregate = sums(rows, metrics);
  if (metrics.includes('active_users')) {
    const [daily = 0, weekly = 0, monthly = 0] = active;
    out.active_users = { daily, weekly, monthly };
  }
  if (metrics.includes('mrr')) out.mrr = mrr;
  return out;
}

/** Distinct active users per UTC month of `range`. */
async function monthlyActive(db: Db, range: DateRange): Promise<Map<string, number>> {
  const month = sql<string>`substr(${platformEvents.date}, 1, 7)`;
  const rows = await db
    .select({ month, n: countDistinct(platformEvents.userId) })
    .from(platformEvents)
    .where(
      and(
        inArray(platformEvents.type, EVENT_TYPES),
        gte(platformEvents.date, range.from),
        lte(platformEvents.date, range.to),
        isNotNull(platformEvents.userId),
      ),
    )
    .groupBy(month)
    .all();
  return new Map(rows.map((r) => [r.month, r.n]));
}

/**
 * One point per UTC day or month of the range, every bucket present (zero when nothing happened): the sums of its
 * days, `active_users` as the distinct users of the bucket, and `mrr` as it stands at the bucket's end.
 */
export async function platformTimeseries(
  db: Db,
  query: PlatformQuery & { interval: 'day' | 'month' },
): Promise<PlatformPoint[]> {
  const { range, metrics, interval } = query;
  const [rows, mrrStart, months] = await Promise.all([
    dailyRows(db, range),
    metrics.includes('mrr') ? mrrBefore(db, range.from) : Promise.resolve({}),
    metrics.includes('active_users') && interval === 'month' ? monthlyActive(db, range) : Promise.resolve(null),
  ]);
  const keyOf = (date: string) => (interval === 'day' ? date : date.slice(0, 7));
  const byBucket = new Map<string, DailyRow[]>();
  for (const r of rows) {
    const list = byBucket.get(keyOf(r.date));
    if (list) list.push(r);
    else byBucket.set(keyOf(r.date), [r]);
  }
  const mrr: Money = { ...mrrStart };
  return bucketsOf(range, interval).map((date) => {
    const bucket = byBucket.get(date) ?? [];
    const point: PlatformPoint = { date, ...sums(bucket, metrics) };
    if (metrics.includes('active_users')) {
      point.active_users =
        months?.get(date) ?? bucket.reduce((n, r) => (r.metric === 'active_users' ? n + r.value : n), 0);
    }
    if (metrics.includes('mrr')) {
      for (const r of bucket) if (r.metric.startsWith(MRR_DELTA)) addTo(mrr, r.metric.slice(MRR_DELTA.length), r.value);
      point.mrr = { ...mrr };
    }
    return point;
  });
}
