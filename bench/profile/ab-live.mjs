// Paired A/B of built variants: one workerd per variant (stack.mjs, unchanged), all started at once, loaded in turn
// for short runs so that machine drift hits every variant alike. Reports workerd CPU µs per request per variant.
//
//   node bench/profile/ab-live.mjs <path> <rounds> <variant>…
//   e.g. node bench/profile/ab-live.mjs /.well-known/jwks.json 12 base hdr all
//
// A variant is a tree made by mkvariant.sh under /tmp/onasis-variants/<variant> whose workers/*/dist was built
// (by a `bench/run.mjs` there, or scripts/build.mjs). Env: AB_SECONDS (per run, 3), AB_CONNECTIONS (8),
// AB_NO_CACHE=1 (send `Cache-Control: no-cache`, so that a cacheable route makes its hop every time), AB_FLOOR=1 (also
// load the plain-values floor of `pnpm bench` in the first variant's workerd, report each variant's paired ratio to it;
// <path> must then be one the floor serves, /.well-known/jwks.json).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLoad, stopLoad } from '../lib/load.mjs';
import { findWorkerdPids, totalCpuMs } from '../lib/proc-stats.mjs';
import { startVariant } from './variants.mjs';

const [path, roundsArg, ...variants] = process.argv.slice(2);
const rounds = Number(roundsArg);
const seconds = Number(process.env.AB_SECONDS ?? 3);
const connections = Number(process.env.AB_CONNECTIONS ?? 8);
const headers = process.env.AB_NO_CACHE === '1' ? { 'cache-control': 'no-cache' } : {};
const withFloor = process.env.AB_FLOOR === '1';
const runDir = mkdtempSync(join(tmpdir(), 'onasis-ab-'));
mkdirSync(join(runDir, 'tmp'));
process.env.TMPDIR = join(runDir, 'tmp');
const stacks = [];
process.on('exit', () => {
  stopLoad();
  rmSync(runDir, { recursive: true, force: true });
});

try {
  for (const v of variants) {
    const before = new Set(findWorkerdPids());
    const floorHere = withFloor && stacks.length === 0;
    const stack = await startVariant(runDir, v, floorHere ? ['hop-caller'] : []);
    const pids = findWorkerdPids().filter((p) => !before.has(p));
    const url = new URL(path, stack.urlOf('gateway')).href;
    const res = await fetch(url, { headers });
    console.log(`${v}: ${url} → ${res.status}, workerd ${pids.join(',')}`);
    await res.arrayBuffer();
    // The floor shares the first variant's workerd, whose idle CPU it then counts alike.
    if (floorHere)
      stacks.push({
        v: 'floor',
        stack,
        pids,
        url: new URL(`/values${path}`, stack.urlOf('hop-caller')).href,
        samples: [],
      });
    stacks.push({ v, stack, pids, url, samples: [] });
  }
  for (const s of stacks) await runLoad({ url: s.url, method: 'GET', headers, connections, durationSec: 2 }); // warm-up
  for (let r = 0; r < rounds; r++) {
    // A different order every round, so that no variant always follows the same one.
    const order = r % 2 === 0 ? stacks : [...stacks].reverse();
    const line = [];
    for (const s of order) {
      const cpu0 = totalCpuMs(s.pids);
      const out = await runLoad({ url: s.url, method: 'GET', headers, connections, durationSec: seconds });
      const us = ((totalCpuMs(s.pids) - cpu0) * 1000) / out.requests;
      s.samples.push(us);
      line.push(`${s.v} ${us.toFixed(0)}`);
    }
    console.log(`round ${r + 1}: ${line.join('  ')}`);
  }
  const median = (xs) => {
    const a = [...xs].sort((x, y) => x - y);
    return a.length % 2 ? a[a.length >> 1] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  };
  const base = stacks[0];
  console.log(`\n${path}, ${connections} conns, ${rounds} × ${seconds} s per variant; workerd CPU µs/req`);
  for (const s of stacks) {
    const mean = s.samples.reduce((a, b) => a + b, 0) / s.samples.length;
    // Paired with the first variant's run of the same round.
    const diffs = s.samples.map((x, i) => x - base.samples[i]);
    const sd = Math.sqrt(
      diffs.reduce((a, d) => a + (d - diffs.reduce((p, q) => p + q, 0) / diffs.length) ** 2, 0) /
        Math.max(1, diffs.length - 1),
    );
    // As `pnpm bench` states its floor targets: the floor's CPU per request over the variant's, paired by round.
    const ratios = s.samples.map((x, i) => base.samples[i] / x);
    const ratio = withFloor
      ? `  floor ÷ this: median ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
      : '';
    console.log(
      `${s.v.padEnd(10)} median ${median(s.samples).toFixed(0).padStart(5)}  mean ${mean.toFixed(0).padStart(5)}  ` +
        `Δ vs ${base.v}: median ${median(diffs).toFixed(0).padStart(4)}, mean ${(diffs.reduce((a, b) => a + b, 0) / diffs.length).toFixed(0).padStart(4)} ± ${(sd / Math.sqrt(diffs.length)).toFixed(0)} (s.e.)${ratio}`,
    );
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const stack of new Set(stacks.map((s) => s.stack))) await stack.dispose();
}
