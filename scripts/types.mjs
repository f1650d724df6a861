// Generates (or with --check, verifies) every Worker's worker-configuration.d.ts. The gateway's generation includes
// the domain configs so its service bindings are typed as the domain entrypoints.
import { spawnSync } from 'node:child_process';
import { allConfigArgs, root, WORKERS, wranglerBin } from './workers.mjs';

const check = process.argv.includes('--check');
let failed = false;
for (const w of WORKERS) {
  const configs = w.name === 'gateway' ? allConfigArgs() : ['-c', w.config];
  const args = [
    'types',
    `${w.dir}/worker-configuration.d.ts`,
    ...configs,
    '--env-interface',
    w.envInterface,
    '--include-runtime',
    'false',
    // Vars are settings that differ per deployment (JSON lists, URLs): typed as strings, not as today's values.
    '--strict-vars',
    'false',
    ...(check ? ['--check'] : []),
  ];
  const res = spawnSync(wranglerBin, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const ok = res.status === 0;
  failed ||= !ok;
  console.log(`${ok ? 'ok  ' : 'FAIL'} types ${w.name}${check ? ' (check)' : ''}`);
  if (!ok) process.stdout.write(res.stdout + res.stderr);
}
process.exit(failed ? 1 : 0);
