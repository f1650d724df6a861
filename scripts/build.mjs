// Bundles every Worker exactly as `wrangler deploy` would (`--dry-run --outdir`), into workers/<name>/dist, and
// reports each bundle's raw and gzip size. Tests load the domain bundles as auxiliary Workers; the bench runs them.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { root, WORKERS, wranglerBin } from './workers.mjs';

/** Gzip limit of a Worker bundle on the Workers Free plan; paid plans allow 10 MiB. */
export const BUNDLE_LIMIT_GZIP = 1024 * 1024;

function bundle(w, env, outRoot) {
  const outdir = outRoot ? join(outRoot, w.name) : join(root, w.dir, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const args = ['deploy', '--dry-run', '--outdir', outdir, '-c', w.config, ...(env ? ['--env', env] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(wranglerBin, args, {
      cwd: root,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) =>
      code === 0 ? resolve(outdir) : reject(new Error(`build of ${w.name} failed:\n${out}`)),
    );
  });
}

function sizeOf(dir) {
  let raw = 0;
  let gzip = 0;
  for (const file of readdirSync(dir, { recursive: true })) {
    const path = join(dir, String(file));
    if (!statSync(path).isFile() || path.endsWith('.map') || path.endsWith('README.md')) continue;
    const bytes = readFileSync(path);
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

/**
 * Builds the named Workers (all by default), two at a time; resolves to `{ name, outdir, raw, gzip }[]`. Bundles go
 * to workers/<name>/dist, or to `<outRoot>/<name>` for a caller that must not share them (a test run).
 */
export async function buildWorkers({ names, env, outRoot } = {}) {
  const todo = WORKERS.filter((w) => !names || names.includes(w.name));
  const results = [];
  const queue = [...todo];
  const lane = async () => {
    for (let w = queue.shift(); w; w = queue.shift()) {
      const outdir = await bundle(w, env, outRoot);
      results.push({ name: w.name, outdir, ...sizeOf(outdir) });
    }
  };
  await Promise.all([lane(), lane()]);
  return todo.map((w) => results.find((r) => r.name === w.name));
}

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

/** A Markdown table of bundle sizes. */
export function sizeTable(results) {
  const rows = results.map(
    (r) => `| ${r.name} | ${kib(r.raw)} | ${kib(r.gzip)} | ${r.gzip < BUNDLE_LIMIT_GZIP ? 'yes' : '**no**'} |`,
  );
  return ['| Worker | raw | gzip | under 1 MiB gzip |', '|---|---:|---:|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const envFlag = process.argv.indexOf('--env');
  const results = await buildWorkers({ env: envFlag > 0 ? process.argv[envFlag + 1] : undefined });
  console.log(sizeTable(results));
  if (results.some((r) => r.gzip >= BUNDLE_LIMIT_GZIP)) process.exit(1);
}
