import type { Site } from '../db/schema.js';
import { METRICS } from './dimensions.js';
import { MAX_LIMIT, parseStatsQuery, type RawParams, type StatsQuery } from './query-params.js';
import { runStats, type StatsDeps } from './stats-query.js';

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, CR or LF, quotes doubled. A text starting with
 * `=`, `+`, `-`, `@`, tab or CR gets a leading `'`, so that a spreadsheet never runs a page name as a formula.
 * Numbers are written as they are: a negative figure is data, not a formula.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export const csvLine = (fields: Array<string | number>) => `${fields.map(csvField).join(',')}\r\n`;

/** The export's query: every metric, the daily timeseries without a dimension, else the whole breakdown. */
export function parseExportQuery(q: RawParams, today: string): StatsQuery {
  const { period, from, to, dimension, filters } = q;
  return parseStatsQuery(
    { period, from, to, dimension, filters, metrics: METRICS.join(','), interval: dimension ? undefined : 'day' },
    today,
  );
}

/** `<domain>-<from>-<to>.csv`, the domain kept to hostname characters so the header cannot be broken. */
export const exportFilename = (site: Site, q: StatsQuery) =>
  `${site.domain.replace(/[^A-Za-z0-9.-]/g, '_')}-${q.range.from}-${q.range.to}.csv`;

/**
 * The export as a stream of CSV lines: a header, then the timeseries or the breakdown, a page of at most 1000
 * values read from D1 each time the reader asks for more.
 */
export function exportStream(deps: StatsDeps, site: Site, q: StatsQuery): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const key = q.dimension ?? 'date';
  let page = 0;
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine([key === 'date' ? 'date' : 'value', ...METRICS])));
    },
    async pull(controller) {
      if (done) return;
      const query: StatsQuery = { ...q, limit: MAX_LIMIT, offset: page * MAX_LIMIT };
      const answer = await runStats(deps, site, query);
      const rows = Array.isArray(answer.data) ? answer.data : [];
      const lines = rows.map((r) =>
        csvLine([r[key === 'date' ? 'date' : 'value'] ?? '', ...METRICS.map((m) => r[m] ?? 0)]),
      );
      if (lines.length > 0) controller.enqueue(encoder.encode(lines.join('')));
      page++;
      // A timeseries comes whole in one answer; a breakdown ends with its first short page.
      if (!q.dimension || rows.length < MAX_LIMIT) {
        done = true;
        controller.close();
      }
    },
  });
}
