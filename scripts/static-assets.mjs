// Builds the gateway's static assets (`workers/gateway/public/`, not committed): the operator console (Vite build of
// `workers/gateway/console/` into /console), the API reference's browser bundle for /docs, the analytics Worker's
// pages and tracking script (`workers/analytics/static/`: /dashboard, /js/script.js) and the chart library the
// dashboard draws with. Everything is served from the platform's own origin,
// so each page's Content-Security-Policy can allow scripts from 'self' only. Runs after every `pnpm install` and at
// the start of `pnpm dev`, so edits to the pages show on the next start.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { root } from './workers.mjs';

const publicDir = join(root, 'workers', 'gateway', 'public');

function copy(from, to) {
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
}

// The packages' exports maps hide their files, so the paths go through the owning Worker's node_modules link.
copy(
  join(root, 'workers/gateway/node_modules/@scalar/api-reference/dist/browser/standalone.js'),
  join(publicDir, 'docs', 'assets', 'api-reference.js'),
);
cpSync(join(root, 'workers', 'analytics', 'static'), publicDir, { recursive: true });
for (const file of ['uPlot.iife.min.js', 'uPlot.min.css']) {
  copy(join(root, 'workers/analytics/node_modules/uplot/dist', file), join(publicDir, 'dashboard', 'vendor', file));
}

const vite = spawnSync(
  join(root, 'workers/gateway/node_modules/.bin/vite'),
  ['build', '--config', join(root, 'workers/gateway/console/vite.config.ts')],
  { cwd: join(root, 'workers/gateway/console'), stdio: 'inherit' },
);
if (vite.status !== 0) {
  console.error('The console did not build (see above).');
  process.exit(1);
}
