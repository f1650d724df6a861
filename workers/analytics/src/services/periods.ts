import { addDays } from './site-time.js';

/** The periods the stats API takes; every one is site-local and includes today. */
export const PERIODS = ['day', '7d', '30d', 'month', '12mo', 'custom'] as const;

/** One period of the stats API. */
export type Period = (typeof PERIODS)[number];

/** The bucket sizes of a timeseries. */
export const INTERVALS = ['hour', 'day', 'month'] as const;

/** One timeseries bucket size. */
export type Interval = (typeof INTERVALS)[number];

/** An inclusive range of site-local days, `YYYY-MM-DD`. */
export interface DateRange {
  from: string;
  to: string;
}

/** The first day past the longest range starting on `from`: the same day five years later. */
export function fiveYearsAfter(from: string): string {
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 5);
  return d.toISOString().slice(0, 10);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar day written `YYYY-MM-DD`. */
export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** Days from `from` to `to` (`to` − `from`; 0 for the same day). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The first day of the month `months` months before the month of `date`. */
function monthStart(date: string, monthsBack: number): string {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return d.toISOString().slice(0, 10);
}

/** The days a named period covers, ending on the site-local `today`. `custom` takes `from` and `to` as given. */
export function periodRange(period: Period, today: string, custom?: DateRange): DateRange {
  switch (period) {
    case 'day':
      return { from: today, to: today };
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case 'month':
      return { from: monthStart(today, 0), to: today };
    case '12mo':
      return { from: monthStart(today, 11), to: today };
    case 'custom':
      return custom ?? { from: today, to: today };
  }
}

/** The key of every bucket of `range` at `interval`, in order: `YYYY-MM-DD`, `YYYY-MM` or `YYYY-MM-DDTHH:00`. */
export function bucketsOf(range: DateRange, interval: Interval): string[] {
  const keys: string[] = [];
  for (let day = range.from; day <= range.to; day = addDays(day, 1)) {
    if (interval === 'day') keys.push(day);
    else if (interval === 'hour') for (let h = 0; h < 24; h++) keys.push(hourKey(day, h));
    else if (keys[keys.length - 1] !== day.slice(0, 7)) keys.push(day.slice(0, 7));
  }
  return keys;
}

/** The bucket key of a site-local hour. */
export const hourKey = (date: string, hour: number) => `${date}T${String(hour).padStart(2, '0')}:00`;
