// Starting a variant tree made by mkvariant.sh, shared by the A/B and comparison tools.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { WORKERS } from '../../scripts/workers.mjs';
import { startStack } from '../lib/stack.mjs';

/**
 * Copies the built bundles of /tmp/onasis-variants/<variant> into `runDir` (so a rebuild of that tree cannot pull
 * them away mid-run) and starts them with the gateway, and any `more` Workers, on direct sockets.
 */
export function startVariant(runDir, variant, more = []) {
  const bundleDirs = new Map();
  for (const w of WORKERS) {
    const to = join(runDir, variant, w.name);
    cpSync(join('/tmp/onasis-variants', variant, w.dir, 'dist'), to, { recursive: true });
    bundleDirs.set(w.name, to);
  }
  return startStack({ bundleDirs, directWorkers: ['gateway', ...more], onLog: () => {} });
}
