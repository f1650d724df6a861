// Round-robin `pnpm bench` over variant trees made by mkvariant.sh, to compare workerd CPU µs/req of one scenario.
//   node bench/profile/ab.mjs <rounds> <variant>…      (env: BENCH_ONLY, default jwks; BENCH_DURATION 5; conns 8)
// Appends one line per run to bench/profile/out/ab.tsv: time, variant, scenario µs/req, hello µs/req, direct-d1 µs/req.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [rounds, ...variants] = process.argv.slice(2);
const node = process.execPath;
const out = join(import.meta.dirname, 'out', 'ab.tsv');
mkdirSync(join(import.meta.dirname, 'out'), { recursive: true });
const env = {
  ...process.env,
  BENCH_ONLY: process.env.BENCH_ONLY ?? 'jwks',
  BENCH_CONNECTIONS: process.env.BENCH_CONNECTIONS ?? '8',
  BENCH_DURATION: process.env.BENCH_DURATION ?? '5',
};
const results = new Map(variants.map((v) => [v, []]));
for (let r = 0; r < Number(rounds); r++) {
  for (const v of variants) {
    const dir = `/tmp/onasis-variants/${v}`;
    try {
      execFileSync(node, ['bench/run.mjs'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      console.error(`${v}: bench failed: ${String(err.stderr ?? err).slice(-2000)}`);
    }
    const res = JSON.parse(readFileSync(join(dir, 'bench/results/latest.json'), 'utf8'));
    const us = (pred) => res.runs.find(pred)?.workerdCpuUsPerRequest;
    const scen = us((x) => x.kind === 'scenario');
    const hello = us((x) => x.scenario === 'ceiling: hello-world');
    const d1 = us((x) => x.scenario === 'ceiling: direct D1 read');
    results.get(v).push(scen);
    const line = [new Date().toISOString(), v, scen, hello, d1].map((x) => (typeof x === 'number' ? x.toFixed(0) : x));
    appendFileSync(out, `${line.join('\t')}\n`);
    console.log(line.join('\t'));
  }
}
for (const [v, xs] of results) {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `${v}\tmean ${mean.toFixed(0)}\tmedian ${sorted[sorted.length >> 1].toFixed(0)}\truns ${xs.map((x) => x.toFixed(0)).join(' ')}`,
  );
}
