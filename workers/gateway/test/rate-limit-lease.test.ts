import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { hit } from '../src/rate-limit/backends.js';
import { parsePolicies } from '../src/rate-limit/policies.js';

const background = { waitUntil() {} };

/** The embedded limiter's namespace, counting how often a limiter object is asked. */
function countingLimiter() {
  const calls = { objects: 0 };
  const namespace = {
    getByName(name: string) {
      calls.objects += 1;
      return env.RATE_LIMITER.getByName(name);
    },
  } as unknown as typeof env.RATE_LIMITER;
  return { calls, env: { RATE_LIMITER: namespace } };
}

function policy(limit: number, algorithm: 'sliding_window' | 'token_bucket' = 'sliding_window') {
  const [p] = parsePolicies(
    JSON.stringify([
      {
        id: `lease-${crypto.randomUUID().slice(0, 8)}`,
        match: 'GET /x',
        key: 'ip',
        algorithm,
        limit,
        windowSeconds: WINDOW_SECONDS,
        ...(algorithm === 'token_bucket' ? { refillRate: 1 } : {}),
        failMode: 'closed',
      },
    ]),
  );
  if (!p) throw new Error('no policy');
  return p;
}

/**
 * Hour-long windows, and no test starts in an hour's last 10 s: sliding windows are aligned to the clock, and one that
 * turned over mid-test would rightly admit more than the test counts on.
 */
const WINDOW_SECONDS = 3600;

// Every test makes policies of its own (random ids), so no lease of one test is spent by another.
beforeEach(async () => {
  const windowMs = WINDOW_SECONDS * 1000;
  const left = windowMs - (Date.now() % windowMs);
  if (left < 10_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
});

describe('leases of the embedded limiter', () => {
  it.each(['sliding_window', 'token_bucket'] as const)(
    'admits exactly the limit (%s) while asking the limiter object for far fewer than every hit',
    async (algorithm) => {
      const limiter = countingLimiter();
      const rule = policy(500, algorithm);
      let admitted = 0;
      let lastRemaining = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 560; i++) {
        const decision = await hit(limiter.env, rule, '203.0.113.9', background);
        if (decision?.allowed) {
          admitted += 1;
          expect(decision.remaining).toBeLessThan(lastRemaining);
          lastRemaining = decision.remaining;
        }
      }
      expect(admitted).toBe(500);
      expect(limiter.calls.objects).toBeLessThan(200);
    },
  );

  it('decides the last hits one by one, so a small limit is never leased', async () => {
    const limiter = countingLimiter();
    const rule = policy(8);
    const decisions = [];
    for (let i = 0; i < 10; i++) decisions.push(await hit(limiter.env, rule, '203.0.113.10', background));
    expect(decisions.map((d) => d?.allowed)).toEqual([true, true, true, true, true, true, true, true, false, false]);
    expect(decisions.slice(0, 8).map((d) => d?.remaining)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(limiter.calls.objects).toBe(10);
  });

  it('keeps the limit across isolates: leases held elsewhere only ever admit fewer', async () => {
    const rule = policy(100);
    const a = countingLimiter();
    let admitted = 0;
    // Two "isolates": the first takes a lease, then lets it run out (a lease lasts a second) as if it went away.
    for (let i = 0; i < 5; i++) if ((await hit(a.env, rule, '203.0.113.11', background))?.allowed) admitted += 1;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 200; i++) if ((await hit(a.env, rule, '203.0.113.11', background))?.allowed) admitted += 1;
    expect(admitted).toBeLessThanOrEqual(100);
    expect(admitted).toBeGreaterThanOrEqual(90);
  });
});
