// Miniflare options of a domain Worker's bundle, its bindings taken from its wrangler.toml, for setups that run the
// built Workers directly (gateway tests, bench) rather than through `wrangler dev`.
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { root } from './workers.mjs';

// Only binding-shaped options: wrangler's also carry v4-only keys (modulesRules, rootPath) that newer Miniflare rejects.
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
];

/**
 * @param {string} name domain Worker name, e.g. `identity`
 * @param {string} outdir folder holding the Worker's built `index.js`
 * @param {Record<string, string>} [secrets] values for the secrets the Worker declares as required
 * @returns {{ name: string, modules: true, scriptPath: string, modulesRoot: string } & Record<string, any>} Miniflare
 *   worker options named `onasis-<name>`
 */
export function bundledWorkerOptions(name, outdir, secrets = {}) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${root}/workers/${name}/wrangler.toml`);
  const options = { name: `onasis-${name}`, modules: true, scriptPath: `${outdir}/index.js`, modulesRoot: outdir };
  for (const key of BINDING_KEYS) if (workerOptions[key] !== undefined) options[key] = workerOptions[key];
  options.bindings = { ...options.bindings, ...secrets };
  return options;
}
