// Miniflare options of a built Worker bundle, its bindings taken from its wrangler.toml, for setups that run the
// built Workers directly (gateway tests, bench) rather than through `wrangler dev`.
import { join } from 'node:path';
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from 'wrangler';
import { root, WORKERS } from './workers.mjs';

// Only binding-shaped options: wrangler's also carry v4-only keys (modulesRules, rootPath) that describe the
// TypeScript sources and that newer Miniflare rejects when pointed at a built bundle.
const BINDING_KEYS = [
  'compatibilityDate',
  'compatibilityFlags',
  'bindings',
  'd1Databases',
  'r2Buckets',
  'durableObjects',
  'queueProducers',
  'queueConsumers',
  'serviceBindings',
  'analyticsEngineDatasets',
  'images',
];

/**
 * @param {string} name Worker name from scripts/workers.mjs, e.g. `identity` or `gateway`
 * @param {string} outdir folder holding the Worker's built `index.js`
 * @param {Record<string, string>} [secrets] values for the secrets the Worker declares as required
 * @returns {{ name: string, modules: true, scriptPath: string, modulesRoot: string } & Record<string, any>} Miniflare
 *   worker options, named as in the Worker's wrangler.toml (`onasis-<name>`)
 */
export function bundledWorkerOptions(name, outdir, secrets = {}) {
  const worker = WORKERS.find((w) => w.name === name);
  if (!worker) throw new Error(`unknown Worker ${name}`);
  const config = join(root, worker.config);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  const options = {
    name: unstable_readConfig({ config }).name,
    modules: true,
    scriptPath: join(outdir, 'index.js'),
    modulesRoot: outdir,
  };
  for (const key of BINDING_KEYS) if (workerOptions[key] !== undefined) options[key] = workerOptions[key];
  options.bindings = { ...options.bindings, ...secrets };
  return options;
}
