import { env } from 'cloudflare:workers';
import type { RequestMeta } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import { fetchWith } from './helpers.js';
import { bearer, request, signedInUser } from './identity-fixtures.js';

/** An identity binding whose `handle` is counted (and optionally replaced), the rest passed through. */
function countingIdentity(handle?: (req: Request) => Response) {
  const calls = { handle: 0 };
  const binding = {
    jwks: (): Promise<unknown> => env.IDENTITY.jwks(),
    sessionStatus: (userId: string, sessionId: string): Promise<unknown> =>
      env.IDENTITY.sessionStatus(userId, sessionId),
    handle: (req: Request, meta: RequestMeta) => {
      calls.handle += 1;
      return handle ? Promise.resolve(handle(req)) : (env.IDENTITY.handle(req, meta) as unknown as Promise<Response>);
    },
  };
  return { calls, fetch: (path: string, init?: RequestInit) => fetchWith({ IDENTITY: binding }, path, init) };
}

const unique = () => `?v=${crypto.randomUUID()}`;

describe('response cache', () => {
  it('serves a public response from the cache the second time, and says which', async () => {
    const identity = countingIdentity();
    const path = `/.well-known/jwks.json${unique()}`;
    const first = await identity.fetch(path);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    const body = await first.text();
    const second = await identity.fetch(path);
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(await second.text()).toBe(body);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(identity.calls.handle).toBe(1);
  });

  it('answers 304 to If-None-Match with the cached ETag, and 200 to another', async () => {
    const path = `/.well-known/jwks.json${unique()}`;
    const first = await request(path);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const revalidated = await request(path, { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
    expect(revalidated.headers.get('x-cache')).toBe('HIT');
    expect(await revalidated.text()).toBe('');
    const other = await request(path, { headers: { 'if-none-match': '"something-else"' } });
    expect(other.status).toBe(200);
  });

  it('skips the lookup for a client that sends Cache-Control: no-cache', async () => {
    const identity = countingIdentity();
    const path = `/.well-known/openid-configuration${unique()}`;
    await identity.fetch(path);
    const fresh = await identity.fetch(path, { headers: { 'cache-control': 'no-cache' } });
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(identity.calls.handle).toBe(2);
  });

  it('never caches a private response', async () => {
    const session = await signedInUser();
    const identity = countingIdentity();
    for (let i = 0; i < 2; i++) {
      const res = await identity.fetch('/api/v1/users/me', bearer(session.accessToken));
      expect(res.status).toBe(200);
      expect(res.headers.get('x-cache')).toBeNull();
    }
    expect(identity.calls.handle).toBe(2);
  });

  it('keeps one variant per value of the headers the response varies by', async () => {
    const identity = countingIdentity(
      (req) =>
        new Response(JSON.stringify({ language: req.headers.get('accept-language') }), {
          headers: {
            'content-type': 'application/json',
            'cache-control': 'public, max-age=60',
            vary: 'Accept-Language',
          },
        }),
    );
    const path = `/.well-known/varies${unique()}`;
    const get = async (language: string) => {
      const res = await identity.fetch(path, { headers: { 'accept-language': language } });
      return { cache: res.headers.get('x-cache'), body: await res.json<{ language: string }>() };
    };
    expect(await get('fr')).toEqual({ cache: 'MISS', body: { language: 'fr' } });
    expect(await get('de')).toEqual({ cache: 'MISS', body: { language: 'de' } });
    expect(await get('fr')).toEqual({ cache: 'HIT', body: { language: 'fr' } });
    expect(await get('de')).toEqual({ cache: 'HIT', body: { language: 'de' } });
    expect(identity.calls.handle).toBe(2);
  });

  it('reports hits, misses and the hit ratio in /metrics', async () => {
    const value = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(series))
          ?.split(' ')
          .at(-1) ?? Number.NaN,
      );
    const before = await (await request('/metrics')).text();
    const path = `/.well-known/jwks.json${unique()}`;
    for (let i = 0; i < 3; i++) await request(path);
    const after = await (await request('/metrics')).text();
    const hit = 'onasis_gateway_cache_requests_total{result="hit"}';
    const miss = 'onasis_gateway_cache_requests_total{result="miss"}';
    expect(value(after, hit) - value(before, hit)).toBe(2);
    expect(value(after, miss) - value(before, miss)).toBe(1);
    const ratio = value(after, 'onasis_gateway_cache_hit_ratio');
    expect(ratio).toBeCloseTo(value(after, hit) / (value(after, hit) + value(after, miss)), 6);
  });
});
