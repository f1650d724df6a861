import { AppError, type FieldError } from '@onasis/http';
import { DIMENSIONS, type Dimension, METRICS, type Metric } from './dimensions.js';
import {
  type DateRange,
  daysBetween,
  fiveYearsAfter,
  INTERVALS,
  type Interval,
  isDate,
  PERIODS,
  type Period,
  periodRange,
} from './periods.js';

/** One filter: the dimension's value is (`is`) or is not (`is_not`) one of `values`. */
export interface Filter {
  dimension: Dimension;
  op: 'is' | 'is_not';
  values: string[];
}

/** A stats query, checked: what the rollup and raw engines answer. */
export interface StatsQuery {
  metrics: Metric[];
  range: DateRange;
  interval?: Interval;
  dimension?: Dimension;
  filters: Filter[];
  limit: number;
  offset: number;
  /** The caller asked for the raw computation (`compute=raw`). */
  raw: boolean;
}

/** The query string as the route receives it (unknown parameters are ignored). */
export type RawParams = Partial<Record<string, string>>;

/** Filters one query may hold. */
export const MAX_FILTERS = 10;
/** Values across all filters: each is a bound parameter, and D1 takes 100 per statement. */
export const MAX_FILTER_VALUES = 50;
/** Most breakdown rows one answer holds (and one CSV export page). */
export const MAX_LIMIT = 1000;

const oneOf = <T extends string>(list: readonly T[], v: string): v is T => (list as readonly string[]).includes(v);

/** Collects every bad parameter so that one 400 names them all. */
export class ParamErrors {
  readonly list: FieldError[] = [];
  add(param: string, message: string): void {
    this.list.push({ path: `query.${param}`, message });
  }
  /** Throws the 400 `VALIDATION_FAILED` if any parameter was bad. */
  check(): void {
    if (this.list.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors: this.list });
    }
  }
}

/** Parses Plausible v1 filters: `dimension==a|b;dimension!=c`, values URL-decoded. */
export function parseFilters(text: string | undefined, errors: ParamErrors): Filter[] {
  if (text === undefined || text === '') return [];
  const parts = text.split(';');
  if (parts.length > MAX_FILTERS) errors.add('filters', `At most ${MAX_FILTERS} filters.`);
  const filters: Filter[] = [];
  for (const part of parts.slice(0, MAX_FILTERS)) {
    const m = /^([a-z_]+)(==|!=)(.*)$/s.exec(part);
    const dimension = m?.[1] ?? '';
    if (!m || !oneOf(DIMENSIONS, dimension)) {
      errors.add('filters', `Not a filter: "${part.slice(0, 80)}"; write dimension==value or dimension!=value.`);
      continue;
    }
    const values: string[] = [];
    for (const raw of (m[3] ?? '').split('|')) {
      try {
        values.push(decodeURIComponent(raw));
      } catch {
        errors.add('filters', `Malformed URL encoding in a value of ${dimension}.`);
      }
    }
    filters.push({ dimension, op: m[2] === '==' ? 'is' : 'is_not', values });
  }
  if (filters.reduce((n, f) => n + f.values.length, 0) > MAX_FILTER_VALUES) {
    errors.add('filters', `At most ${MAX_FILTER_VALUES} values across all filters.`);
  }
  return filters;
}

/** The period's days, site-local; `from`/`to` are required with and only with `custom`. */
export function parsePeriod(q: RawParams, today: string, errors: ParamErrors): DateRange {
  const period = q.period ?? '30d';
  if (!oneOf(PERIODS, period)) {
    errors.add('period', `One of ${PERIODS.join(', ')}.`);
    return periodRange('30d', today);
  }
  if (period !== 'custom') {
    for (const p of ['from', 'to'] as const) {
      if (q[p] !== undefined) errors.add(p, 'Only with period=custom.');
    }
    return periodRange(period as Period, today);
  }
  let ok = true;
  for (const p of ['from', 'to'] as const) {
    const v = q[p];
    if (v === undefined || !isDate(v)) {
      errors.add(p, 'A date YYYY-MM-DD is required with period=custom.');
      ok = false;
    }
  }
  const range = { from: q.from ?? today, to: q.to ?? today };
  if (ok && range.from > range.to) errors.add('from', '"from" is after "to".');
  else if (ok && range.to >= fiveYearsAfter(range.from)) errors.add('to', 'The range is over 5 years.');
  return range;
}

/** Whether `compute=raw` was asked for; any value but `raw` or `auto` is a parameter error. */
export function computeRaw(q: RawParams, errors: ParamErrors): boolean {
  if (q.compute !== undefined && q.compute !== 'raw' && q.compute !== 'auto') errors.add('compute', 'raw or auto.');
  return q.compute === 'raw';
}

/** An integer parameter in [min, max], or `fallback` when absent. */
export function intParam(q: RawParams, name: string, fallback: number, min: number, max: number, errors: ParamErrors) {
  const v = q[name];
  if (v === undefined) return fallback;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    errors.add(name, `An integer from ${min} to ${max}.`);
    return fallback;
  }
  return Number(v);
}

/** Checks the stats query string: every bad parameter is named in one 400. */
export function parseStatsQuery(q: RawParams, today: string): StatsQuery {
  const errors = new ParamErrors();
  const metrics: Metric[] = [];
  for (const m of (q.metrics ?? 'visitors').split(',')) {
    if (oneOf(METRICS, m)) {
      if (!metrics.includes(m)) metrics.push(m);
    } else errors.add('metrics', `Unknown metric "${m.slice(0, 40)}"; one of ${METRICS.join(', ')}.`);
  }
  const range = parsePeriod(q, today, errors);
  let interval: Interval | undefined;
  if (q.interval !== undefined) {
    if (oneOf(INTERVALS, q.interval)) interval = q.interval;
    else errors.add('interval', `One of ${INTERVALS.join(', ')}.`);
  }
  let dimension: Dimension | undefined;
  if (q.dimension !== undefined) {
    if (oneOf(DIMENSIONS, q.dimension)) dimension = q.dimension;
    else errors.add('dimension', `One of ${DIMENSIONS.join(', ')}.`);
  }
  if (q.interval !== undefined && q.dimension !== undefined) {
    errors.add('interval', 'Either interval (a timeseries) or dimension (a breakdown), not both.');
  }
  if (interval === 'hour' && daysBetween(range.from, range.to) >= 7) {
    errors.add('interval', 'interval=hour is for periods of at most 7 days.');
  }
  const filters = parseFilters(q.filters, errors);
  const limit = intParam(q, 'limit', 10, 1, MAX_LIMIT, errors);
  const page = intParam(q, 'page', 1, 1, 1_000_000, errors);
  const raw = computeRaw(q, errors);
  errors.check();
  return { metrics, range, interval, dimension, filters, limit, offset: (page - 1) * limit, raw };
}
