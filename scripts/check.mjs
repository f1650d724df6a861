// `pnpm check`: everything CI verifies besides the tests. Type-check every project, lint and format, generated
// types up to date, and every Worker bundled as `wrangler deploy` would (default and production environments).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_LIMIT_GZIP, buildWorkers, sizeTable } from './build.mjs';
import { root, WORKERS } from './workers.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
let failed = false;

function step(title, fn) {
  const started = Date.now();
  return Promise.resolve()
    .then(fn)
    .then(
      (ok) => {
        failed ||= ok === false;
        console.log(`${ok === false ? 'FAIL' : 'ok  '} ${title} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      },
      (err) => {
        failed = true;
        console.log(`FAIL ${title}\n${err.message}`);
      },
    );
}

function run(cmd, args) {
  const res = spawnSync(cmd, args, { cwd: root, encoding: 'utf8' });
  if (res.status !== 0) process.stdout.write(res.stdout + res.stderr);
  return res.status === 0;
}

const projects = [
  ...WORKERS.map((w) => w.dir),
  'packages/contracts',
  'packages/http',
  'packages/testing',
  'packages/client',
  'workers/gateway/console',
  'test/e2e',
];
for (const project of projects.filter((p) => existsSync(join(root, p, 'tsconfig.json')))) {
  await step(`tsc ${project}`, () => run(bin('tsc'), ['-p', project]));
}
await step('biome (lint and format)', () => run(bin('biome'), ['check', '.']));
await step('wrangler types --check', () => run(process.execPath, [join(root, 'scripts', 'types.mjs'), '--check']));
await step('client schema up to date (pnpm openapi --check)', () =>
  run(process.execPath, [join(root, 'scripts', 'openapi.mjs'), '--check']),
);
for (const env of [undefined, 'production']) {
  await step(`wrangler deploy --dry-run${env ? ` --env ${env}` : ''}`, async () => {
    const results = await buildWorkers({ env });
    console.log(sizeTable(results));
    return results.every((r) => r.gzip < BUNDLE_LIMIT_GZIP);
  });
}
process.exit(failed ? 1 : 0);
