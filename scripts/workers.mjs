// The platform's Workers and their configs, in deploy order: domain Workers first, the gateway last.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const DOMAIN_WORKERS = ['identity', 'payments', 'notifications', 'analytics', 'files', 'jobs'];

/** `{ name, config, dir, envInterface }` of every Worker; `config` is relative to the repo root. */
export const WORKERS = [
  ...DOMAIN_WORKERS.map((name) => ({
    name,
    config: `workers/${name}/wrangler.toml`,
    dir: `workers/${name}`,
    envInterface: `${name[0].toUpperCase()}${name.slice(1)}Env`,
  })),
  { name: 'gateway', config: 'wrangler.toml', dir: 'workers/gateway', envInterface: 'GatewayEnv' },
];

/** `-c a.toml -c b.toml …` for one wrangler process running the whole platform, the gateway first (it is the entry). */
export function allConfigArgs(configOf = {}) {
  return ['gateway', ...DOMAIN_WORKERS].flatMap((name) => [
    '-c',
    configOf[name] ?? WORKERS.find((w) => w.name === name).config,
  ]);
}

export const wranglerBin = join(root, 'node_modules', '.bin', 'wrangler');
