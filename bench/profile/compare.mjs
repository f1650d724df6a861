// Behaviour check of a variant: the same requests to the gateway of two built trees (see mkvariant.sh), responses
// compared on status, every header and the body, with per-request random values (ids, nonces, dates) masked.
//   node bench/profile/compare.mjs <variantA> <variantB>
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVariant } from './variants.mjs';

const variants = process.argv.slice(2);
const runDir = mkdtempSync(join(tmpdir(), 'onasis-cmp-'));
mkdirSync(join(runDir, 'tmp'));
process.env.TMPDIR = join(runDir, 'tmp');

const ALLOWED = 'http://localhost:5173';
const REQUESTS = [
  ['GET', '/.well-known/openid-configuration'],
  ['GET', '/.well-known/openid-configuration', { origin: ALLOWED }],
  ['GET', '/.well-known/openid-configuration', { origin: 'https://evil.example' }],
  [
    'GET',
    '/.well-known/jwks.json',
    { 'x-request-id': 'client-42', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  ],
  ['HEAD', '/.well-known/jwks.json'],
  ['GET', '/nope', { origin: ALLOWED }],
  ['GET', '/nope', { 'x-request-id': 'evil value\twith tabs' }],
  [
    'OPTIONS',
    '/auth/login',
    {
      origin: 'http://localhost:3000',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, idempotency-key',
    },
  ],
  ['OPTIONS', '/.well-known/jwks.json', { origin: 'https://evil.example', 'access-control-request-method': 'GET' }],
  ['POST', '/auth/login', { 'content-type': 'application/json', origin: ALLOWED }, '{"email":"a@b.c","password":"x"}'],
  ['POST', '/auth/login', { 'content-type': 'text/plain' }, 'hello'],
  ['POST', '/auth/login', { 'content-type': 'application/json' }, 'x'.repeat(1024 * 1024 + 1)],
  ['POST', '/.well-known/jwks.json', { 'content-type': 'application/json' }, '{}'],
  ['DELETE', '/health'],
  ['GET', '/health'],
  ['GET', '/metrics'],
  ['GET', '/openapi.json'],
  ['GET', '/docs'],
  ['GET', '/docs/assets/nope.js'],
  ['GET', '/api/v1/payments/x'],
  ['GET', '/api/v1/files/abc?download=1'],
];

const mask = (s) =>
  s
    .replace(/req_[0-9a-f]{24}/g, 'req_<id>')
    .replace(/00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]/g, '00-<trace>-<span>-xx')
    .replace(/\b[0-9a-f]{32}\b/g, '<hex32>')
    .replace(/"durationMs":[0-9.]+/g, '"durationMs":<n>')
    .replace(/[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, '<date>')
    // Differ between any two stacks: the seeded signing keys, the ports, and the metrics' counts and timings.
    .replace(/"(x|y)":"[A-Za-z0-9_-]{43}"/g, '"$1":"<coord>"')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/^(onasis_\S+) [0-9.e+-]+$/gm, '$1 <n>');

async function snapshot(url) {
  const out = [];
  for (const [method, path, headers = {}, body] of REQUESTS) {
    const res = await fetch(new URL(path, url), { method, headers, body, redirect: 'manual' });
    const text = await res.text();
    const hs = [...res.headers]
      .filter(([k]) => !(path === '/metrics' && k === 'content-length'))
      .map(([k, v]) => `${k}: ${mask(v)}`)
      .sort();
    out.push({
      key: `${method} ${path} ${JSON.stringify(headers).slice(0, 80)}`,
      status: res.status,
      hs,
      body: mask(text),
    });
  }
  return out;
}

const stacks = [];
try {
  const snaps = [];
  for (const v of variants) {
    const stack = await startVariant(runDir, v);
    stacks.push(stack);
    snaps.push(await snapshot(stack.urlOf('gateway')));
  }
  const [a, b] = snaps;
  let diffs = 0;
  a.forEach((x, i) => {
    const y = b[i];
    const lines = [];
    if (x.status !== y.status) lines.push(`  status ${x.status} → ${y.status}`);
    for (const h of x.hs) if (!y.hs.includes(h)) lines.push(`  - ${h}`);
    for (const h of y.hs) if (!x.hs.includes(h)) lines.push(`  + ${h}`);
    if (x.body !== y.body) lines.push(`  body differs: ${x.body.slice(0, 200)} → ${y.body.slice(0, 200)}`);
    console.log(`${lines.length ? 'DIFF' : 'same'} ${x.status} ${x.key}`);
    for (const l of lines) console.log(l);
    diffs += lines.length ? 1 : 0;
  });
  console.log(`${diffs} of ${a.length} responses differ (${variants.join(' vs ')})`);
  process.exitCode = diffs ? 2 : 0;
} finally {
  for (const s of stacks) await s.dispose();
  rmSync(runDir, { recursive: true, force: true });
}
