// What `pnpm bench` measures. A later issue adds a route by appending to SCENARIOS (and, if it has a speed goal, to
// TARGETS); the harness needs no other change.
//
// Each entry: `name` (unique, shown in the report), `worker` (a Worker of scripts/workers.mjs by its short name, or a
// bench Worker of bench/workers/), `method`, `path`, optional `headers` and `body` (a string, sent on every request),
// and `check(response, bodyText)`, run once before any load: it throws when the answer is not the one the route is
// meant to give, so that a benchmark of a 404 page or an error can never be reported as a result.
// An optional `prepare({ urlOf(worker, path) })` runs once after the stack is up and returns fields to merge into the
// entry (e.g. `headers` with an access token). `floor` names the hop shape a route crosses to its domain Worker
// (`values`: `serve`; `request`: `handle`), and the report divides the route by that shape's floor.

import { BENCH_USER } from './lib/stack.mjs';

const assert = (cond, msg) => {
  if (!cond) throw new Error(msg);
};

const jwksCheck = (res, text) => {
  assert(res.status === 200, `expected 200, got ${res.status}: ${text.slice(0, 300)}`);
  const keys = JSON.parse(text).keys;
  assert(Array.isArray(keys) && keys.length === 2, `expected the 2 seeded keys, got ${text.slice(0, 300)}`);
  assert(
    keys.every((k) => k.kid && k.use === 'sig' && k.kty === 'EC'),
    `unexpected key shape: ${text.slice(0, 300)}`,
  );
};

/**
 * The baselines measured in every run; every scenario's req/s is reported as a ratio to each (in latest.json; the
 * table shows those marked `column`, and each route's ratio to the floor of its shape).
 */
export const CEILINGS = [
  {
    id: 'hello',
    column: true,
    name: 'ceiling: hello-world',
    worker: 'hello-world',
    method: 'GET',
    path: '/',
    check: (res, text) => assert(res.status === 200 && text === 'Hello World!', `hello-world answered ${res.status}`),
  },
  {
    id: 'direct-d1',
    column: true,
    name: 'ceiling: direct D1 read',
    worker: 'direct-d1',
    method: 'GET',
    path: '/.well-known/jwks.json',
    check: jwksCheck,
  },
  {
    // The same read through drizzle-orm: its ratio to direct-d1 is drizzle's own cost on this query.
    id: 'direct-d1-drizzle',
    name: 'ceiling: direct D1 read (drizzle)',
    worker: 'direct-d1-drizzle',
    method: 'GET',
    path: '/.well-known/jwks.json',
    check: jwksCheck,
  },
  {
    // The direct read one service-binding hop away, a Request in and a Response out: the best a route forwarded
    // with `handle` can do.
    id: 'floor-request',
    shape: 'request',
    name: 'floor: Request/Response hop',
    worker: 'hop-caller',
    method: 'GET',
    path: '/request/.well-known/jwks.json',
    check: jwksCheck,
  },
  {
    // The same hop with plain values both ways: the best a route forwarded with `serve` can do.
    id: 'floor-values',
    shape: 'values',
    name: 'floor: plain-values hop',
    worker: 'hop-caller',
    method: 'GET',
    path: '/values/.well-known/jwks.json',
    check: jwksCheck,
  },
];

/** Platform routes, requested from the gateway as a client would. */
export const SCENARIOS = [
  {
    name: 'GET /health',
    worker: 'gateway',
    method: 'GET',
    path: '/health',
    check: (res, text) => {
      assert(res.status === 200, `expected 200, got ${res.status}: ${text.slice(0, 300)}`);
      const services = JSON.parse(text).services;
      assert(Object.keys(services).length === 6, `expected six services, got ${text.slice(0, 300)}`);
    },
  },
  {
    name: 'GET /.well-known/jwks.json',
    worker: 'gateway',
    method: 'GET',
    path: '/.well-known/jwks.json',
    floor: 'values',
    // Past the gateway's response cache, so that this measures gateway → binding → D1.
    headers: { 'cache-control': 'no-cache' },
    check: (res, text) => {
      jwksCheck(res, text);
      assert(res.headers.get('x-cache') === 'MISS', `expected a cache MISS, got ${res.headers.get('x-cache')}`);
    },
  },
  {
    name: 'GET /.well-known/jwks.json (cache HIT)',
    worker: 'gateway',
    method: 'GET',
    path: '/.well-known/jwks.json',
    check: jwksCheck,
  },
];

/** Signs the bench user in through the gateway and returns the bearer header of its access token. */
async function bearerHeaders({ urlOf }) {
  const res = await fetch(urlOf('gateway', '/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
  });
  const text = await res.text();
  assert(res.status === 200, `signing the bench user in answered ${res.status}: ${text.slice(0, 300)}`);
  return { headers: { authorization: `Bearer ${JSON.parse(text).accessToken}` } };
}

SCENARIOS.push(
  {
    name: 'POST /auth/login',
    worker: 'gateway',
    // PBKDF2 at 100,000 iterations dominates; the report states it as milliseconds per sign-in.
    cpuPer: 'sign-in',
    floor: 'values',
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json', 'user-agent': 'onasis-bench' },
    body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
    check: (res, text) => {
      assert(res.status === 200, `expected 200, got ${res.status}: ${text.slice(0, 300)}`);
      assert(JSON.parse(text).tokenType === 'Bearer', `expected tokens, got ${text.slice(0, 300)}`);
    },
  },
  {
    name: 'GET /api/v1/users/me (authenticated)',
    worker: 'gateway',
    method: 'GET',
    path: '/api/v1/users/me',
    floor: 'values',
    prepare: bearerHeaders,
    check: (res, text) => {
      assert(res.status === 200, `expected 200, got ${res.status}: ${text.slice(0, 300)}`);
      assert(JSON.parse(text).email === BENCH_USER.email, `expected the bench user, got ${text.slice(0, 300)}`);
    },
  },
);

SCENARIOS.push({
  name: 'GET /.well-known/jwks.json (auth + rate limit)',
  worker: 'gateway',
  method: 'GET',
  path: '/.well-known/jwks.json',
  floor: 'values',
  // The same route as the no-cache JWKS scenario, signed in: token verification, session check and the embedded
  // limiter's Durable Object call on top of the same forwarding and D1 read.
  prepare: async (ctx) => {
    const { headers } = await bearerHeaders(ctx);
    return { headers: { ...headers, 'cache-control': 'no-cache' } };
  },
  check: (res, text) => {
    jwksCheck(res, text);
    assert(res.headers.get('ratelimit-policy')?.startsWith('"bench"'), 'expected the bench rate-limit policy to apply');
  },
});

/**
 * Speed goals, reported as met or missed (never failing the run): a scenario's req/s over a ceiling's, or over
 * another scenario's (`baseline`).
 */
export const TARGETS = [
  {
    scenario: 'GET /.well-known/jwks.json (auth + rate limit)',
    baseline: 'GET /.well-known/jwks.json',
    minRatio: 0.8,
    label: 'auth + rate limiting (embedded limiter) cost under 20% of throughput: signed-in ÷ anonymous on one route',
  },
  {
    scenario: 'GET /.well-known/jwks.json (cache HIT)',
    baseline: 'GET /.well-known/jwks.json',
    minRatio: 1,
    label: 'cache HIT at least as fast as a MISS (HIT ÷ MISS)',
  },
  // No route that crosses a service binding can reach the direct-D1 Worker (a hop is a new request context in the
  // callee; the floors' own × direct-d1 say how far below it each shape stays). So each D1 route is held to the floor
  // of its shape, and to 0.74× the direct Worker: what a bare Request/Response hop reached with probe Workers.
  {
    scenario: 'GET /.well-known/jwks.json',
    ceiling: 'floor-values',
    minRatio: 0.9,
    label: 'gateway → binding → D1 at ≥ 0.9× the plain-values floor',
  },
  {
    scenario: 'GET /.well-known/jwks.json',
    ceiling: 'direct-d1',
    minRatio: 0.74,
    label: 'gateway → binding → D1 at ≥ 0.74× the direct-D1 Worker',
  },
  {
    scenario: 'GET /api/v1/users/me (authenticated)',
    ceiling: 'floor-values',
    minRatio: 0.9,
    label: 'token verification + RPC + D1 read at ≥ 0.9× the plain-values floor',
  },
  {
    scenario: 'GET /api/v1/users/me (authenticated)',
    ceiling: 'direct-d1',
    minRatio: 0.74,
    label: 'token verification + RPC + D1 read at ≥ 0.74× the direct-D1 Worker',
  },
];

// Payments: a signed Stripe webhook acknowledged (each request a new event, signed by the stripe package), and a
// payment created by a signed-in user (each request a new payment, with the sandbox provider).
SCENARIOS.push(
  {
    name: 'POST /webhooks/stripe (signed payment webhook)',
    worker: 'gateway',
    method: 'POST',
    path: '/webhooks/stripe',
    floor: 'values',
    generate: 'stripe-webhook',
    check: (res, text) => {
      assert(res.status === 200, `expected 200, got ${res.status}: ${text.slice(0, 300)}`);
      assert(JSON.parse(text).received === true, `expected { received: true }, got ${text.slice(0, 300)}`);
    },
  },
  {
    name: 'POST /api/v1/payments/intents',
    worker: 'gateway',
    method: 'POST',
    path: '/api/v1/payments/intents',
    floor: 'values',
    prepare: async (ctx) => {
      const { headers } = await bearerHeaders(ctx);
      return { headers: { ...headers, 'content-type': 'application/json' } };
    },
    body: JSON.stringify({ amount: 2000, currency: 'usd', description: 'Bench order' }),
    check: (res, text) => {
      assert(res.status === 201, `expected 201, got ${res.status}: ${text.slice(0, 300)}`);
      assert(JSON.parse(text).id?.startsWith('pay_'), `expected a payment, got ${text.slice(0, 300)}`);
    },
  },
);

TARGETS.push({
  scenario: 'POST /webhooks/stripe (signed payment webhook)',
  baseline: 'GET /.well-known/jwks.json',
  minRatio: 0.8,
  label: 'a signed Stripe webhook acknowledged at ≥ 0.8× the unauthenticated D1 route (webhook ÷ JWKS no-cache)',
});
