import { env, exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureBreakers } from '../src/services/circuit-breaker.js';
import { bearer, json, request, signedInUser } from './identity-fixtures.js';
import {
  BODY_KINDS,
  casesOf,
  countOf,
  fieldSweep,
  type HostileCase,
  KINDS,
  type Kind,
  type Operation,
  operationsOf,
  victimSweep,
} from './support/hostile-cases.js';
import { Callers, describeCase, drive, type Role } from './support/hostile-run.js';
import { resolverOf } from './support/hostile-schema.js';

// Every operation of /openapi.json, driven with generated hostile requests by an anonymous caller, a member and an
// admin. The document is read when the file loads, so an operation a service adds is covered the day it lands.
//
// The generation is seeded: CI sees the same requests on every run. To explore, run with another seed or more runs
// per kind (vitest.config.ts hands both variables over as bindings):
//   HOSTILE_SEED=7 HOSTILE_RUNS=10 pnpm exec vitest run --project gateway workers/gateway/test/hostile-input.test.ts
//
// Destructive operations need no special casing: each role's caller is a user made for this file and replaced as
// soon as an operation signed it out, deleted, disabled or demoted it (`Callers.recheck`), and path ids are never
// taken from live listings, only the caller's own and one victim's, so no case can reach a real signing key,
// template, role or schedule another test relies on. An operation that ever must be driven differently gets an
// entry here, with its reason, rather than a silent skip.
const knobs = env as unknown as Record<string, string | undefined>;
const SEED = knobs.HOSTILE_SEED ? Number(knobs.HOSTILE_SEED) | 0 : 20261205;
const RUNS = Math.max(1, Number(knobs.HOSTILE_RUNS || 1) | 0);

const docResponse = await exports.default.fetch('http://gateway/openapi.json');
const doc = await docResponse.json<{ paths: Record<string, Record<string, unknown>> } & Record<string, unknown>>();
const operations = operationsOf(doc);
const resolve = resolverOf(doc);
const ROLES: Role[] = ['anonymous', 'member', 'admin'];
const maxBodyBytes = Number(env.MAX_BODY_BYTES);

/** A stable 32-bit hash, so that each operation, caller and kind has a seed of its own that others cannot shift. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

const callers = new Callers();
const driven = new Map<string, number>();
let victimIds: string[] = [];

beforeAll(async () => {
  // Thousands of access-log lines would bury the report; errors (an unhandled exception's stack) still show.
  for (const level of ['log', 'info', 'warn'] as const) vi.spyOn(console, level).mockImplementation(() => {});
  // Another user's objects, which only an admin may reach (never through /users/me): user, session and API key id.
  const victim = await signedInUser(['member']);
  const key = await request(
    '/api/v1/users/me/api-keys',
    bearer(victim.accessToken, json({ name: 'victim key', scopes: [] })),
  );
  if (key.status !== 201) throw new Error(`the victim's API key was refused (${key.status}): ${await key.text()}`);
  victimIds = [victim.user.id, victim.subject.sid, (await key.json<{ id: string }>()).id];
});

// Each operation starts with closed breakers: one whose 5xx answers opened its service's breaker would otherwise
// show up again as 503s under the operations after it.
beforeEach(() => configureBreakers());

afterAll(() => {
  vi.restoreAllMocks();
  const total = [...driven.values()].reduce((a, b) => a + b, 0);
  console.log(`hostile-input: ${total} requests, seed ${SEED}, ${RUNS} run(s) per kind`);
});

const label = (role: Role) => ({ anonymous: 'an anonymous caller', member: 'a member', admin: 'an admin' })[role];

describe('the operations under test', () => {
  it('come from a complete document, so that a service that did not answer cannot drop out unnoticed', () => {
    expect(docResponse.status).toBe(200);
    expect(doc).not.toHaveProperty('x-unavailable-services');
    expect(operations.length).toBeGreaterThan(0);
  });
});

for (const op of operations) {
  describe(`${op.method} ${op.path}`, () => {
    for (const role of ROLES) {
      it(`answers hostile input from ${label(role)} without a 5xx, every refusal a problem+json`, async () => {
        const breaches = await driveOperation(op, role);
        expect(breaches).toEqual([]);
      }, 120_000);
    }
  });
}

// Reproductions found by driving every route by hand, pinned so that they are asserted on every run and not only
// when the seed happens to generate them.
describe('known reproductions', () => {
  it('refuses a send to a recipient with NUL, CR/LF or control characters with a field error naming `to`', async () => {
    const admin = await callers.of('admin');
    const breaches: string[] = [];
    for (const to of ['a\u0000b', 'x@example.com\r\nBcc: y@example.com', '\u0001\u001f']) {
      const c: HostileCase = {
        kind: 'pinned',
        method: 'POST',
        target: '/api/v1/notifications/send',
        headers: [],
        body: { text: JSON.stringify({ to, template: 'hostile.none', idempotencyKey: crypto.randomUUID() }) },
        namesVictim: false,
      };
      const { status, breaches: found } = await drive(c, admin);
      if (status !== 400) found.push(`answered ${status}, not 400`);
      for (const b of found) breaches.push(`${describeCase(c, 'admin')} → ${b}`);
    }
    expect(breaches).toEqual([]);
  });

  it('ends every streamed body over the limit on PATCH /api/v1/roles/{name} as a 413 problem', async () => {
    const admin = await callers.of('admin');
    const breaches: string[] = [];
    for (let i = 0; i < 10; i++) {
      const c: HostileCase = {
        kind: 'pinned-oversized',
        method: 'PATCH',
        target: '/api/v1/roles/member',
        headers: [],
        body: { streamed: 2 * 1024 * 1024 },
        namesVictim: false,
      };
      const { breaches: found } = await drive(c, admin);
      for (const b of found) breaches.push(`${describeCase(c, 'admin')} → ${b}`);
    }
    expect(breaches).toEqual([]);
  });
});

describe('coverage', () => {
  it('drove every operation as every caller with every kind of input its method can carry, every body field and every id of another user', () => {
    const missing: string[] = [];
    for (const op of operations) {
      for (const role of ROLES) {
        for (const kind of Object.keys(KINDS) as Kind[]) {
          if (op.method === 'GET' && BODY_KINDS.has(kind)) continue;
          if ((driven.get(`${op.method} ${op.path} ${role} ${kind}`) ?? 0) === 0) {
            missing.push(`${op.method} ${op.path} ${role} ${kind}`);
          }
        }
        if (op.body && (driven.get(`${op.method} ${op.path} ${role} field-sweep`) ?? 0) === 0) {
          missing.push(`${op.method} ${op.path} ${role} field-sweep`);
        }
        if (op.pathParams.length > 0 && (driven.get(`${op.method} ${op.path} ${role} victim-sweep`) ?? 0) === 0) {
          missing.push(`${op.method} ${op.path} ${role} victim-sweep`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

/** Requests in flight at once for one operation: enough to overlap the Workers' I/O, few enough for two cores. */
const PARALLEL = 4;

/**
 * Sends every generated case of `op` as `role` and returns what broke the contract, each with its reproduction.
 * GET operations get no body kinds: fetch cannot attach a body to a GET request, and a client cannot send one either.
 */
async function driveOperation(op: Operation, role: Role): Promise<string[]> {
  const caller = await callers.of(role);
  const token = caller.signedIn?.accessToken;
  const g = { op, resolve, ids: { self: caller.signedIn?.user.id, victim: victimIds }, maxBodyBytes };
  const cases: HostileCase[] = [];
  for (const kind of Object.keys(KINDS) as Kind[]) {
    if (op.method === 'GET' && BODY_KINDS.has(kind)) continue;
    const seed = SEED ^ hash(`${op.method} ${op.path} ${role} ${kind}`);
    cases.push(...fc.sample(casesOf(kind, g, token), { seed, numRuns: countOf(kind, op) * RUNS }));
  }
  const sweepSeed = SEED ^ hash(`${op.method} ${op.path} ${role} field-sweep`);
  cases.push(...fc.sample(fieldSweep(g), { seed: sweepSeed, numRuns: RUNS }).flat());
  const victimSeed = SEED ^ hash(`${op.method} ${op.path} ${role} victim-sweep`);
  cases.push(...fc.sample(victimSweep(g), { seed: victimSeed, numRuns: 1 }).flat());
  const breaches: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let c = cases[next++]; c !== undefined; c = cases[next++]) {
      const { breaches: found } = await drive(c, caller);
      for (const b of found) breaches.push(`${describeCase(c, role)} → ${b}`);
      const key = `${op.method} ${op.path} ${role} ${c.kind}`;
      driven.set(key, (driven.get(key) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  } finally {
    // Anything but a GET may have signed the caller out, disabled, deleted or demoted it.
    if (op.method !== 'GET') await callers.recheck(role);
  }
  return breaches;
}
