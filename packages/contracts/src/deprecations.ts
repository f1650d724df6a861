import { segmentsMatch } from './auth.js';

/** A route on its way out: the gateway announces it on every response of that route. */
export interface Deprecation {
  /** HTTP method, or `*` for all. */
  method: string;
  /** Path pattern in the syntax of ROUTE_POLICIES: literal segments, `:param` for one segment, a final `*` for the rest. */
  path: string;
  /** When the route became deprecated (ISO 8601); sent as `Deprecation: @<unix seconds>` (RFC 9745). */
  deprecatedAt: string;
  /** When the route stops answering (ISO 8601); sent as `Sunset: <HTTP-date>` (RFC 8594). */
  sunsetAt?: string;
  /** Where to read about the replacement; sent as `Link: <…>; rel="deprecation"`. */
  link?: string;
}

/**
 * Deprecated routes, first match wins. The gateway announces them rather than the service, so that the headers go
 * out on every answer of the route, the gateway's own 502, 503 and 504 included. A service marks the operation
 * `deprecated: true` in its OpenAPI part, and `workers/gateway/test/route-tables.test.ts` proves this table names
 * exactly those operations. Empty until a route is deprecated; add an entry in the same change that documents the
 * replacement, and every client of that route starts getting the headers.
 */
export const DEPRECATIONS: ReadonlyArray<Deprecation> = [];

/** Response headers announcing one deprecation, built once per table entry. */
export type DeprecationHeaders = Readonly<Record<string, string>>;

function instant(value: string, field: string, entry: Deprecation): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`deprecation ${entry.method} ${entry.path}: ${field} is not a date: ${value}`);
  return ms;
}

/**
 * Turns a table into a lookup `(method, path) → headers | undefined`. Dates are parsed and headers rendered here,
 * once, so a request pays only for the match; an empty table costs nothing. A malformed date throws, so a bad entry
 * fails the tests rather than sending a wrong header.
 */
export function compileDeprecations(
  table: ReadonlyArray<Deprecation>,
): (method: string, path: string) => DeprecationHeaders | undefined {
  if (table.length === 0) return () => undefined;
  const compiled = table.map((entry) => {
    const headers: Record<string, string> = {
      deprecation: `@${Math.floor(instant(entry.deprecatedAt, 'deprecatedAt', entry) / 1000)}`,
    };
    if (entry.sunsetAt !== undefined) {
      headers.sunset = new Date(instant(entry.sunsetAt, 'sunsetAt', entry)).toUTCString();
    }
    if (entry.link !== undefined) headers.link = `<${entry.link}>; rel="deprecation"`;
    return { method: entry.method, segments: entry.path.split('/'), headers: Object.freeze(headers) };
  });
  return (method, path) => {
    const got = path.split('/');
    for (const entry of compiled) {
      if ((entry.method === '*' || entry.method === method) && segmentsMatch(entry.segments, got)) return entry.headers;
    }
    return undefined;
  };
}
