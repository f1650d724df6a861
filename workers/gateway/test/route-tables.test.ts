import { exports } from 'cloudflare:workers';
import { DEPRECATIONS, ownerOf, ROUTE_OWNERS, routePolicyFor, segmentsMatch } from '@onasis/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORM_BODY_PATHS, OPEN_CORS_PATHS, takesRawBody } from '../src/config.js';
import { matchPolicy, parsePolicies } from '../src/rate-limit/policies.js';
import { labelOf, type ServiceOperation, serviceOperations } from './service-operations.js';

// The gateway's path tables other than ROUTE_POLICIES (see route-policies.test.ts), each held against what the
// services document about themselves, so that a table naming a path no service has, or missing one it has, fails here.
let operations: ServiceOperation[] = [];
beforeAll(async () => {
  operations = await serviceOperations();
});

describe('ROUTE_OWNERS', () => {
  it('routes every operation to the service that documents it', () => {
    const misrouted = operations.filter((op) => ownerOf(op.path) !== op.service).map(labelOf);
    expect(misrouted).toEqual([]);
  });

  it('gives a service with routes only prefixes it serves', () => {
    const stale = ROUTE_OWNERS.filter(({ prefix, service }) => {
      const own = operations.filter((op) => op.service === service);
      return own.length > 0 && !own.some((op) => op.path === prefix || op.path.startsWith(`${prefix}/`));
    });
    expect(stale).toEqual([]);
  });
});

describe('request body types', () => {
  const JSON_TYPE = /^application\/([\w.+-]+\+)?json$/;
  const FORM_TYPE = 'application/x-www-form-urlencoded';
  const bodyTypesOf = (op: ServiceOperation) =>
    Object.keys(((op.operation.requestBody as { content?: object } | undefined)?.content ?? {}) as object);

  it('lets through every body type an operation documents', () => {
    const refused = operations.flatMap((op) =>
      bodyTypesOf(op)
        .filter((type) => !JSON_TYPE.test(type) && !takesRawBody(op.path))
        .filter((type) => type !== FORM_TYPE || !FORM_BODY_PATHS.has(op.path))
        .filter((type) => type !== 'text/plain' || !OPEN_CORS_PATHS.has(op.path))
        .map((type) => `${labelOf(op)}: ${type}`),
    );
    expect(refused).toEqual([]);
  });

  it('takes form bodies only on paths a service answers POST on', () => {
    const posts = new Set(operations.filter((op) => op.method === 'POST').map((op) => op.path));
    expect([...FORM_BODY_PATHS].filter((path) => !posts.has(path))).toEqual([]);
  });

  it('opens CORS and plain-text bodies only on public paths a service answers POST on', () => {
    const open = operations.filter((op) => op.method === 'POST' && routePolicyFor('POST', op.path).access === 'public');
    const paths = new Set(open.map((op) => op.path));
    expect([...OPEN_CORS_PATHS].filter((path) => !paths.has(path))).toEqual([]);
  });
});

describe('DEPRECATIONS', () => {
  const deprecated = (op: ServiceOperation) => op.operation.deprecated === true;
  const covers = (entry: (typeof DEPRECATIONS)[number], op: ServiceOperation) =>
    (entry.method === '*' || entry.method === op.method) && segmentsMatch(entry.path.split('/'), op.path.split('/'));

  it('announces every operation a service marks deprecated', () => {
    const unannounced = operations.filter((op) => deprecated(op) && !DEPRECATIONS.some((e) => covers(e, op)));
    expect(unannounced.map(labelOf)).toEqual([]);
  });

  it('names only operations their service marks deprecated', () => {
    const wrong = DEPRECATIONS.filter((e) => !operations.some((op) => deprecated(op) && covers(e, op)));
    expect(wrong.map((e) => `${e.method} ${e.path}`)).toEqual([]);
  });
});

describe('DEFAULT_POLICIES', () => {
  it('limits only routes that exist, the gateway’s own included', async () => {
    const doc = await (await exports.default.fetch('http://gateway/openapi.json')).json<{
      paths: Record<string, Record<string, unknown>>;
    }>();
    const routes = Object.entries(doc.paths).flatMap(([template, item]) =>
      Object.keys(item).map((method) => [method.toUpperCase(), template.replace(/\{[^}]+\}/g, 'x_1')] as const),
    );
    const unused = parsePolicies(undefined).filter(
      (policy) => !routes.some(([method, path]) => matchPolicy([policy], method, path, policy.countsFailures)),
    );
    expect(unused.map((p) => p.id)).toEqual([]);
  });
});
