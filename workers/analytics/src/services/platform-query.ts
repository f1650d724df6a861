import type { DateRange } from './periods.js';
import { ParamErrors, parsePeriod, type RawParams } from './query-params.js';

/** The figures `GET /platform` answers, from the business events of every service. */
export const PLATFORM_METRICS = [
  'signups',
  'active_users',
  'revenue',
  'refunds',
  'mrr',
  'storage_uploaded',
  'storage_deleted',
  'subscriptions_started',
  'subscriptions_canceled',
] as const;

/** One platform figure. */
export type PlatformMetric = (typeof PLATFORM_METRICS)[number];

/** What `metrics` means when it is left out. */
export const DEFAULT_PLATFORM_METRICS: PlatformMetric[] = [
  'signups',
  'active_users',
  'revenue',
  'refunds',
  'mrr',
  'storage_uploaded',
];

/** Bucket sizes of a platform timeseries (UTC days and months). */
export const PLATFORM_INTERVALS = ['day', 'month'] as const;

/** A checked `GET /platform` query. */
export interface PlatformQuery {
  metrics: PlatformMetric[];
  range: DateRange;
  interval?: (typeof PLATFORM_INTERVALS)[number];
}

const oneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** Checks the query string against UTC `today`: every bad parameter is named in one 400. */
export function parsePlatformQuery(q: RawParams, today: string): PlatformQuery {
  const errors = new ParamErrors();
  const metrics: PlatformMetric[] = [];
  const asked = q.metrics === undefined ? DEFAULT_PLATFORM_METRICS : q.metrics.split(',');
  for (const m of asked) {
    if (!oneOf(PLATFORM_METRICS, m)) {
      errors.add('metrics', `Unknown metric "${m.slice(0, 40)}"; one of ${PLATFORM_METRICS.join(', ')}.`);
    } else if (!metrics.includes(m)) metrics.push(m);
  }
  const range = parsePeriod(q, today, errors);
  let interval: PlatformQuery['interval'];
  if (q.interval !== undefined) {
    if (oneOf(PLATFORM_INTERVALS, q.interval)) interval = q.interval;
    else errors.add('interval', `One of ${PLATFORM_INTERVALS.join(', ')}.`);
  }
  errors.check();
  return { metrics, range, ...(interval ? { interval } : {}) };
}
