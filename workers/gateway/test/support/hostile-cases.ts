import fc from 'fast-check';
import { type Resolver, type Schema, validish } from './hostile-schema.js';
import {
  deepNesting,
  encodeSegment,
  hostileNumber,
  hostileString,
  hostileValue,
  malformedJson,
  oddContentType,
  RAW_HOSTILE_QUERY_VALUES,
  RAW_HOSTILE_SEGMENTS,
  RawJson,
  toJson,
} from './hostile-values.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** One operation of `/openapi.json`. */
export interface Operation {
  method: string;
  /** The OpenAPI path template, `/api/v1/users/{id}`. */
  path: string;
  pathParams: { name: string; schema: Schema }[];
  queryParams: { name: string; required: boolean; schema: Schema }[];
  /** The JSON body schema, when the operation declares one. */
  body: Schema | undefined;
  /** Every method the path declares, to pick one it does not. */
  siblings: string[];
}

interface OpenApiParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** Every operation of the merged document, in document order. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    const siblings = METHODS.filter((m) => m in item).map((m) => m.toUpperCase());
    for (const method of METHODS) {
      const op = item[method] as OpenApiOperation | undefined;
      if (!op) continue;
      const params = op.parameters ?? [];
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        queryParams: params
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema,
        siblings,
      });
    }
  }
  return out;
}

/** Ids that belong to someone: the caller's own, and another user's (which only an admin may reach, never as `me`). */
export interface KnownIds {
  self: string | undefined;
  victim: string[];
}

/** A request body: JSON or other text, raw bytes, or a stream of `bytes` without a declared length. */
export type Body = { text: string } | { bytes: Uint8Array } | { streamed: number };

/** A header to set (replacing the caller's, e.g. its `Authorization`) or to append (a duplicate). */
export type HeaderEdit = { name: string; value: string; append?: boolean };

/** One generated request; `kind` says which family of hostility it belongs to. */
export interface HostileCase {
  kind: string;
  method: string;
  /** Path and query, already encoded (or broken on purpose). */
  target: string;
  /** `undefined` keeps the JSON content type a body gets by default; `null` sends none. */
  contentType?: string | null;
  headers: HeaderEdit[];
  body?: Body;
  /** The request names another user's object. */
  namesVictim: boolean;
}

interface Generators {
  op: Operation;
  resolve: Resolver;
  ids: KnownIds;
  maxBodyBytes: number;
}

/** What a path parameter may be: a value its schema accepts, someone's id, or something hostile. */
function pathValue(g: Generators, schema: Schema, hostile: boolean): fc.Arbitrary<{ raw: string; victim: boolean }> {
  const valid = validish(schema, g.resolve).map((v) => ({ raw: encodeSegment(String(v)), victim: false }));
  if (!hostile) return valid;
  const owned: fc.Arbitrary<{ raw: string; victim: boolean }>[] = [];
  if (g.ids.victim.length > 0) {
    owned.push(fc.constantFrom(...g.ids.victim).map((id) => ({ raw: encodeSegment(id), victim: true })));
  }
  if (g.ids.self !== undefined) owned.push(fc.constant({ raw: encodeSegment(g.ids.self), victim: false }));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...RAW_HOSTILE_SEGMENTS).map((raw) => ({ raw, victim: false })) },
    { weight: 2, arbitrary: hostileString.map((s) => ({ raw: encodeSegment(s), victim: false })) },
    ...owned.map((arbitrary) => ({ weight: 2, arbitrary })),
    { weight: 1, arbitrary: valid },
  );
}

/** Segments appended to a path without parameters: the routes next to it must answer as well as it does. */
const HOSTILE_SUFFIXES = [
  '/',
  '//',
  '/..',
  '/%2e%2e/',
  '%00',
  '%2F',
  '/x'.repeat(500),
  ';x=1',
  '/.%2e/health',
] as const;

function pathOf(g: Generators, hostile: boolean): fc.Arbitrary<{ path: string; victim: boolean }> {
  const { op } = g;
  if (op.pathParams.length === 0) {
    if (!hostile) return fc.constant({ path: op.path, victim: false });
    return fc.constantFrom(...HOSTILE_SUFFIXES).map((suffix) => ({ path: `${op.path}${suffix}`, victim: false }));
  }
  const values = op.pathParams.map((p) => pathValue(g, p.schema, hostile));
  return fc.tuple(...values).map((chosen) => {
    let path = op.path;
    op.pathParams.forEach((p, i) => {
      path = path.replace(`{${p.name}}`, chosen[i]?.raw ?? '');
    });
    return { path, victim: chosen.some((c) => c.victim) };
  });
}

function validQuery(g: Generators): fc.Arbitrary<string> {
  const parts = g.op.queryParams.map((p) => {
    const value = validish(p.schema, g.resolve);
    return (p.required ? value : fc.option(value, { nil: undefined, freq: 2 })).map((v) =>
      v === undefined ? '' : `${p.name}=${encodeSegment(String(v))}`,
    );
  });
  return parts.length === 0 ? fc.constant('') : fc.tuple(...parts).map((ps) => ps.filter(Boolean).join('&'));
}

function hostileQuery(g: Generators): fc.Arbitrary<string> {
  const names = g.op.queryParams.map((p) => p.name);
  const name = names.length > 0 ? fc.constantFrom(...names) : fc.constant('limit');
  const value = fc.oneof(
    fc.constantFrom(...RAW_HOSTILE_QUERY_VALUES),
    hostileString.map(encodeSegment),
    hostileNumber.map((n) => encodeSegment(n instanceof RawJson ? n.text : String(n))),
  );
  const extra = fc.constantFrom(
    '',
    '&',
    '&&&=&=',
    '__proto__[admin]=1',
    'constructor[prototype][admin]=1',
    'limit[]=1',
    'cursor=a&cursor=b',
    'limit=1&limit=100&limit=-1',
    `${'p'.repeat(10_000)}=1`,
    Array.from({ length: 500 }, (_, i) => `k${i}=v`).join('&'),
  );
  return fc
    .tuple(validQuery(g), name, value, fc.boolean(), extra)
    .map(([base, n, v, duplicate, more]) =>
      [base, `${n}=${v}`, duplicate ? `${n}=${v}${v}` : '', more].filter(Boolean).join('&'),
    );
}

function targetOf(path: string, query: string): string {
  return query === '' ? path : `${path}?${query}`;
}

/** Every place inside `value` a mutation can hit, the whole value (`[]`) included. */
function pathsIn(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      pathsIn(v, [...at, i], out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) pathsIn(v, [...at, k], out);
  }
  return out;
}

function replaceAt(value: unknown, at: (string | number)[], next: unknown): unknown {
  if (at.length === 0) return next;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head] = replaceAt(copy[head], rest, next);
  return copy;
}

function removeAt(value: unknown, at: (string | number)[]): unknown {
  if (at.length === 0) return value;
  if (at.length === 1) {
    if (Array.isArray(value)) return value.filter((_, i) => i !== at[0]);
    const { [String(at[0])]: _, ...rest } = value as Record<string, unknown>;
    return rest;
  }
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>;
  copy[head] = removeAt(copy[head], rest);
  return copy;
}

function validBody(g: Generators): fc.Arbitrary<unknown> {
  return g.op.body ? validish(g.op.body, g.resolve) : fc.constant({});
}

/** A valid-ish body with one node replaced by a hostile value (the root too: a body of the wrong type). */
function fieldMutation(g: Generators): fc.Arbitrary<string> {
  return validBody(g).chain((valid) => {
    const paths = pathsIn(valid);
    return fc.tuple(fc.constantFrom(...paths), hostileValue).map(([at, next]) => toJson(replaceAt(valid, at, next)));
  });
}

const paddings = new Map<number, string>();

/** A string that brings a body to just under the size limit. */
function paddingFor(maxBodyBytes: number): string {
  let padding = paddings.get(maxBodyBytes);
  if (padding === undefined) {
    padding = 'p'.repeat(maxBodyBytes - 4_096);
    paddings.set(maxBodyBytes, padding);
  }
  return padding;
}

/** A valid-ish body missing a field, with extra or prototype-polluting keys, deeply nested, or nearly at the limit. */
function shapeMutation(g: Generators): fc.Arbitrary<string> {
  return validBody(g).chain((valid) => {
    const paths = pathsIn(valid).filter((p) => p.length > 0);
    const isObject = valid !== null && typeof valid === 'object' && !Array.isArray(valid);
    const options: fc.Arbitrary<string>[] = [
      fc.constant(toJson({ ...(isObject ? (valid as object) : {}), ['x'.repeat(64)]: 1, extra: { nested: true } })),
      fc.constant(
        isObject
          ? `{"__proto__":{"admin":true,"permissions":["*"]},"constructor":{"prototype":{"admin":true}},${toJson(valid).slice(1)}`
          : '{"__proto__":{"admin":true}}',
      ),
      deepNesting.map((deep) => toJson(isObject ? { ...(valid as object), nested: deep } : deep)),
      fc.constant(toJson(isObject ? { ...(valid as object), padding: paddingFor(g.maxBodyBytes) } : valid)),
      fc.constantFrom('null', '[]', '{}', '""', '0', 'true', '[{}]'),
    ];
    if (paths.length > 0) options.push(fc.constantFrom(...paths).map((at) => toJson(removeAt(valid, at))));
    return fc.oneof(...options);
  });
}

/** A value that a string field, above all, must refuse with a field error rather than pass on or choke on. */
const sweepValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('\u0000', 'a\r\nb', '\u0001x\u001f', '\u202e', '\ud800', '') },
  { weight: 3, arbitrary: hostileValue },
);

/**
 * One request per field of the body (every optional one filled in), that field alone made hostile: a random
 * mutation hits a given field of a large body too rarely to find a validator that forgets its `errors`.
 */
export function fieldSweep(g: Generators): fc.Arbitrary<HostileCase[]> {
  const { op } = g;
  if (!op.body) return fc.constant([]);
  return fc.tuple(pathOf(g, false), validQuery(g), validish(op.body, g.resolve, 0, true)).chain(([p, q, valid]) => {
    const fields = pathsIn(valid).filter((at) => at.length > 0);
    if (fields.length === 0) return fc.constant([]);
    return fc.tuple(...fields.map(() => sweepValue)).map((values) =>
      fields.map((at, i) => ({
        kind: 'field-sweep',
        method: op.method,
        target: targetOf(p.path, q),
        headers: [],
        body: { text: toJson(replaceAt(valid, at, values[i])) },
        namesVictim: p.victim,
      })),
    );
  });
}

/**
 * One request per id of the other user, in every path parameter at once, with valid-ish query and body: the check
 * that an object is scoped to its owner, on every operation that takes an id, not only when the dice say so.
 */
export function victimSweep(g: Generators): fc.Arbitrary<HostileCase[]> {
  const { op } = g;
  if (op.pathParams.length === 0 || g.ids.victim.length === 0) return fc.constant([]);
  return fc.tuple(validQuery(g), validBody(g)).map(([q, body]) =>
    g.ids.victim.map((id) => {
      let path = op.path;
      for (const p of op.pathParams) path = path.replace(`{${p.name}}`, encodeSegment(id));
      return {
        kind: 'victim-sweep',
        method: op.method,
        target: targetOf(path, q),
        headers: [],
        body: op.method === 'GET' ? undefined : { text: toJson(body) },
        namesVictim: true,
      };
    }),
  );
}

const oddHeaders = (token: string | undefined): fc.Arbitrary<HeaderEdit[]> =>
  fc.oneof(
    fc.constantFrom<HeaderEdit[]>(
      [{ name: 'idempotency-key', value: '' }],
      [{ name: 'idempotency-key', value: ' ' }],
      [{ name: 'idempotency-key', value: 'k'.repeat(256) }],
      [{ name: 'idempotency-key', value: 'k'.repeat(20_000) }],
      [{ name: 'idempotency-key', value: '\u0001\u007f' }],
      [{ name: 'idempotency-key', value: 'caf\u00e9' }],
      [
        { name: 'idempotency-key', value: 'dup-a' },
        { name: 'idempotency-key', value: 'dup-b', append: true },
      ],
      [{ name: 'accept', value: 'text/html' }],
      [{ name: 'accept', value: 'application/xml;q=1, */*;q=0' }],
      [{ name: 'accept', value: 'application/problem+json' }],
      [{ name: 'accept', value: ';;;q=x,,' }],
      [{ name: 'accept', value: 'a/'.repeat(10_000) }],
      [{ name: 'accept-encoding', value: 'br;q=2, gzip;q=-1, identity;q=0' }],
      [{ name: 'accept-language', value: `${'x-'.repeat(5_000)}en` }],
      [{ name: 'x-request-id', value: '../../etc/passwd' }],
      [{ name: 'x-request-id', value: 'r'.repeat(10_000) }],
      [{ name: 'x-request-id', value: '<script>alert(1)</script>' }],
      [{ name: 'x-request-id', value: '\u0001\u00ff' }],
      [{ name: 'traceparent', value: '00-00000000000000000000000000000000-0000000000000000-01' }],
      [{ name: 'traceparent', value: `ff-${'z'.repeat(32)}-${'z'.repeat(16)}-zz` }],
      [{ name: 'traceparent', value: 't'.repeat(10_000) }],
      [{ name: 'x-filler', value: 'f'.repeat(64 * 1024) }],
      Array.from({ length: 200 }, (_, i) => ({ name: `x-many-${i}`, value: String(i) })),
      [{ name: 'cf-connecting-ip', value: 'not-an-ip' }],
      [{ name: 'cf-connecting-ip', value: '999.999.999.999' }],
      [{ name: 'cf-connecting-ip', value: '::ffff:127.0.0.1' }],
      [{ name: 'cf-connecting-ip', value: 'f'.repeat(500) }],
      [{ name: 'x-forwarded-for', value: '127.0.0.1, 10.0.0.1' }],
      [{ name: 'origin', value: 'null' }],
      [{ name: 'origin', value: 'https://evil.example' }],
      [{ name: 'origin', value: `https://${'o'.repeat(5_000)}.example` }],
      [{ name: 'cookie', value: '__Host-session=garbage; __Host-session=more' }],
      [{ name: 'cookie', value: `a=${'c'.repeat(30_000)}` }],
      [{ name: 'connection', value: 'close, authorization, x-api-key, content-type' }],
      [{ name: 'connection', value: 'not a token, \u00ff' }],
      [{ name: 'te', value: 'trailers' }],
      [{ name: 'upgrade', value: 'websocket' }],
      [{ name: 'content-encoding', value: 'gzip' }],
      [{ name: 'x-http-method-override', value: 'DELETE' }],
      [{ name: 'range', value: 'bytes=0-1,5-' }],
      [{ name: 'if-none-match', value: '*' }],
      [{ name: 'authorization', value: 'Bearer' }],
      [{ name: 'authorization', value: 'Bearer ' }],
      [{ name: 'authorization', value: `Bearer ${'t'.repeat(20_000)}` }],
      [{ name: 'authorization', value: 'Basic Zm9vOmJhcg==' }],
      [{ name: 'authorization', value: 'Bearer a.b.c' }],
      [{ name: 'authorization', value: 'Bearer onk_' }],
      [{ name: 'authorization', value: `Bearer onk_${'k'.repeat(40)}` }],
      [{ name: 'authorization', value: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1c3JfYSJ9.' }],
      [{ name: 'x-api-key', value: 'onk_garbage' }],
      [{ name: 'x-api-key', value: '\u0001' }],
      [{ name: 'authorization', value: 'Bearer garbage', append: true }],
    ),
    ...(token === undefined
      ? []
      : [
          fc.constantFrom<HeaderEdit[]>(
            [{ name: 'authorization', value: `bearer ${token}` }],
            [{ name: 'authorization', value: `Bearer  ${token}` }],
            [{ name: 'authorization', value: `Bearer ${token} trailing` }],
            [{ name: 'authorization', value: `Bearer ${token}`, append: true }],
            [{ name: 'x-api-key', value: token }],
          ),
        ]),
  );

/** The families of hostile requests, and how many of each an operation gets per caller by default. */
export const KINDS = {
  'valid-ish': 2,
  'body-field': 2,
  'body-shape': 2,
  'malformed-json': 1,
  'content-type': 1,
  'oversized-declared': 1,
  'oversized-streamed': 1,
  'path-id': 2,
  query: 2,
  headers: 2,
  method: 1,
} as const satisfies Record<string, number>;

export type Kind = keyof typeof KINDS;

/**
 * How many cases of `kind` an operation gets per caller and run: an operation without path (or query) parameters
 * has only a few hostile suffixes (or stray parameters) to try, so one case of those kinds is enough.
 */
export function countOf(kind: Kind, op: Operation): number {
  if (kind === 'path-id' && op.pathParams.length === 0) return 1;
  if (kind === 'query' && op.queryParams.length === 0) return 1;
  return KINDS[kind];
}

/** Kinds that send a body, which fetch cannot attach to a GET (nor HEAD) request: these operations do without. */
export const BODY_KINDS: ReadonlySet<Kind> = new Set([
  'body-field',
  'body-shape',
  'malformed-json',
  'content-type',
  'oversized-declared',
  'oversized-streamed',
]);

/** The arbitrary of one kind of hostile request to `g.op` by a caller holding `token` (if any). */
export function casesOf(kind: Kind, g: Generators, token: string | undefined): fc.Arbitrary<HostileCase> {
  const { op } = g;
  const base = { kind, method: op.method, headers: [] as HeaderEdit[] };
  const valid = fc.tuple(pathOf(g, false), validQuery(g));
  const json = (text: string) => ({ text });
  switch (kind) {
    case 'valid-ish':
      return fc.tuple(valid, validBody(g)).map(([[p, q], body]) => ({
        ...base,
        target: targetOf(p.path, q),
        body: op.method === 'GET' ? undefined : json(toJson(body)),
        namesVictim: p.victim,
      }));
    case 'body-field':
    case 'body-shape':
    case 'malformed-json':
      return fc
        .tuple(
          valid,
          kind === 'body-field' ? fieldMutation(g) : kind === 'body-shape' ? shapeMutation(g) : malformedJson,
        )
        .map(([[p, q], text]) => ({ ...base, target: targetOf(p.path, q), body: json(text), namesVictim: p.victim }));
    case 'content-type':
      return fc.tuple(valid, validBody(g), oddContentType, fc.boolean()).map(([[p, q], body, type, asBytes]) => ({
        ...base,
        target: targetOf(p.path, q),
        contentType: type,
        // Bytes carry no content type of their own; a string body would get text/plain from fetch.
        body: asBytes || type === null ? { bytes: new TextEncoder().encode(toJson(body)) } : json(toJson(body)),
        namesVictim: p.victim,
      }));
    case 'oversized-declared':
      return valid.map(([p, q]) => ({
        ...base,
        target: targetOf(p.path, q),
        body: json(`{"a":"${'x'.repeat(g.maxBodyBytes)}"}`),
        namesVictim: p.victim,
      }));
    case 'oversized-streamed':
      return fc.tuple(valid, fc.constantFrom(1, 2)).map(([[p, q], times]) => ({
        ...base,
        target: targetOf(p.path, q),
        body: { streamed: g.maxBodyBytes * times + 1 },
        namesVictim: p.victim,
      }));
    case 'path-id':
      return fc.tuple(pathOf(g, true), validQuery(g), validBody(g)).map(([p, q, body]) => ({
        ...base,
        target: targetOf(p.path, q),
        body: op.method === 'GET' ? undefined : json(toJson(body)),
        namesVictim: p.victim,
      }));
    case 'query':
      return fc.tuple(pathOf(g, false), hostileQuery(g), validBody(g)).map(([p, q, body]) => ({
        ...base,
        target: targetOf(p.path, q),
        body: op.method === 'GET' ? undefined : json(toJson(body)),
        namesVictim: p.victim,
      }));
    case 'headers':
      return fc.tuple(valid, validBody(g), oddHeaders(token)).map(([[p, q], body, headers]) => ({
        ...base,
        headers,
        target: targetOf(p.path, q),
        body: op.method === 'GET' ? undefined : json(toJson(body)),
        namesVictim: p.victim,
      }));
    case 'method': {
      const others = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => !op.siblings.includes(m));
      return fc
        .tuple(valid, fc.constantFrom(...others, 'patch', 'delete', 'OPTIONS', 'HEAD', 'PROPFIND'))
        .map(([[p, q], method]) => ({
          ...base,
          method,
          target: targetOf(p.path, q),
          body: ['GET', 'HEAD'].includes(method.toUpperCase()) ? undefined : json('{}'),
          namesVictim: p.victim,
        }));
    }
  }
}
