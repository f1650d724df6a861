// Memory under sustained mixed traffic: does workerd's RSS level off, or does it keep growing with the requests
// served? A leak (an unbounded cache, a queue, state that piles up per request) shows as a slope that does not flatten.
import { runLoad } from './load.mjs';
import { memory } from './proc-stats.mjs';
import { BENCH_USER } from './stack.mjs';

const MiB = 2 ** 20;

/**
 * The mix, loaded side by side, one connection each: what clients do all day (cached and uncached public reads,
 * signed-in reads, health checks, sign-ins) and what they do wrong (unknown routes, API keys that do not exist,
 * expired or forged tokens). `expect` is the status every answer must have.
 */
function mix(accessToken) {
  const bearer = { authorization: `Bearer ${accessToken}` };
  return [
    { name: 'jwks (cache HIT)', method: 'GET', path: '/.well-known/jwks.json', expect: 200 },
    {
      name: 'jwks (no-cache)',
      method: 'GET',
      path: '/.well-known/jwks.json',
      headers: { 'cache-control': 'no-cache' },
      expect: 200,
    },
    { name: 'users/me', method: 'GET', path: '/api/v1/users/me', headers: bearer, expect: 200 },
    { name: 'health', method: 'GET', path: '/health', expect: 200 },
    { name: 'unknown route', method: 'GET', path: '/api/v1/no-such-thing', headers: bearer, expect: 404 },
    {
      name: 'unknown API key',
      method: 'GET',
      path: '/api/v1/users/me',
      headers: { 'x-api-key': 'onk_0000000000000000000000000000000000000000' },
      expect: 401,
    },
    {
      name: 'sign-in',
      method: 'POST',
      path: '/auth/login',
      headers: { 'content-type': 'application/json', 'user-agent': 'onasis-soak' },
      body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
      expect: 200,
    },
  ];
}

async function signIn(gatewayUrl) {
  const res = await fetch(new URL('/auth/login', gatewayUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: BENCH_USER.email, password: BENCH_USER.password }),
  });
  if (res.status !== 200) throw new Error(`soak sign-in answered ${res.status}: ${await res.text()}`);
  return (await res.json()).accessToken;
}

/**
 * Runs the mix for `seconds` in slices of `sliceSeconds`, sampling workerd's RSS after each slice. A fresh access
 * token is taken every slice (they live 15 minutes). Resolves to the samples, the RSS at the start and the end, the
 * growth over the second half of the soak (where a bounded process has levelled off), and the problems seen: any
 * answer other than the one each entry expects.
 */
export async function soak({ gatewayUrl, pid, seconds, sliceSeconds = 30 }) {
  const samples = [];
  const problems = [];
  const rss = () => memory(pid).rssBytes;
  const rssStart = rss();
  const started = performance.now();
  let served = 0;
  samples.push({ atSec: 0, requests: 0, rssBytes: rssStart });
  while ((performance.now() - started) / 1000 < seconds) {
    const entries = mix(await signIn(gatewayUrl));
    const results = await Promise.all(
      entries.map((e) =>
        runLoad({
          url: new URL(e.path, gatewayUrl).href,
          connections: 1,
          durationSec: sliceSeconds,
          method: e.method,
          headers: e.headers,
          body: e.body,
        }),
      ),
    );
    results.forEach((r, i) => {
      const e = entries[i];
      served += r.requests;
      const wrong = Object.entries(r.statusCodes).filter(([code]) => Number(code) !== e.expect);
      if (wrong.length > 0 || r.errors > 0 || r.timeouts > 0)
        problems.push(`soak ${e.name}: ${JSON.stringify(r.statusCodes)}, ${r.errors} errors, ${r.timeouts} timeouts`);
    });
    samples.push({ atSec: Math.round((performance.now() - started) / 1000), requests: served, rssBytes: rss() });
  }
  const half = samples[Math.floor((samples.length - 1) / 2)];
  const end = samples[samples.length - 1];
  return {
    seconds: end.atSec,
    requests: served,
    samples,
    rssStartBytes: rssStart,
    rssEndBytes: end.rssBytes,
    rssMidBytes: half.rssBytes,
    secondHalfGrowthBytes: end.rssBytes - half.rssBytes,
    secondHalfGrowthMiBPerMin: (end.rssBytes - half.rssBytes) / MiB / (Math.max(1, end.atSec - half.atSec) / 60),
    problems,
  };
}
