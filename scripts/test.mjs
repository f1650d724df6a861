// `pnpm test`: every vitest project (each Worker and package inside workerd, then the end-to-end suite against the
// real stack). The e2e suite validates /metrics with promtool, so it is installed first where this machine allows.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './workers.mjs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (!has('promtool')) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.log('Installing promtool (Debian package prometheus) for the metrics format check…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'prometheus'], {
      stdio: 'inherit',
      env,
    });
    if (update.status !== 0 || install.status !== 0) process.exit(1);
  } else {
    console.error('promtool is required by the metrics test: install it with `sudo apt-get install prometheus`');
    console.error('(Debian/Ubuntu) or `brew install prometheus` (macOS), then run `pnpm test` again.');
    process.exit(1);
  }
}

const vitest = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(vitest.status ?? 1);
