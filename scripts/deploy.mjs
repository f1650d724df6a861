// `pnpm run deploy -- --env staging|production`: remote migrations, then domain Workers, then the gateway — the
// order in which every binding the gateway declares already exists. Needs `wrangler login` or CLOUDFLARE_API_TOKEN.
import { spawnSync } from 'node:child_process';
import { DOMAIN_WORKERS, root, wranglerBin } from './workers.mjs';

const envIndex = process.argv.indexOf('--env');
const env = envIndex > 0 ? process.argv[envIndex + 1] : undefined;
if (env !== 'staging' && env !== 'production') {
  console.error('usage: pnpm run deploy -- --env staging|production');
  process.exit(2);
}

function wrangler(args) {
  console.log(`$ wrangler ${args.join(' ')}`);
  const res = spawnSync(wranglerBin, args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

for (const name of DOMAIN_WORKERS) {
  wrangler([
    'd1',
    'migrations',
    'apply',
    `onasis-${name}-${env}`,
    '--remote',
    '--env',
    env,
    '-c',
    `workers/${name}/wrangler.toml`,
  ]);
}
for (const name of DOMAIN_WORKERS) wrangler(['deploy', '--env', env, '-c', `workers/${name}/wrangler.toml`]);
wrangler(['deploy', '--env', env, '-c', 'wrangler.toml']);
