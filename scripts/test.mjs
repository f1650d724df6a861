// `pnpm test`: every vitest project (each Worker and package inside workerd, then the end-to-end suite against the
// real stack). Debian packages the tests need are installed first where this machine allows.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './workers.mjs';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// Debian packages the tests drive for real: promtool checks the /metrics format, redis-server backs the Upstash
// rate-limit tests (behind a local Upstash-compatible REST server), chromium runs the dashboard's browser tests
// (through playwright-core, whose own browser download needs the open internet).
const NEEDED = [
  { cmd: 'promtool', pkg: 'prometheus', brew: 'prometheus' },
  { cmd: 'redis-server', pkg: 'redis-server', brew: 'redis' },
  { cmd: 'chromium', pkg: 'chromium', brew: '--cask chromium' },
];
const missing = NEEDED.filter((n) => !has(n.cmd));
if (missing.length > 0) {
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.log(`Installing ${missing.map((m) => m.pkg).join(', ')} (Debian) for the tests…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync(
      'apt-get',
      ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)],
      { stdio: 'inherit', env },
    );
    if (update.status !== 0 || install.status !== 0) process.exit(1);
  } else {
    for (const m of missing) {
      console.error(
        `${m.cmd} is required by the tests: \`sudo apt-get install ${m.pkg}\` (Debian/Ubuntu) or \`brew install ${m.brew}\` (macOS).`,
      );
    }
    process.exit(1);
  }
}

const vitest = spawnSync(join(root, 'node_modules', '.bin', 'vitest'), ['run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(vitest.status ?? 1);
