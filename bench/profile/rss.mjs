// Does workerd's memory grow with the requests served? RSS after each of N load runs on one route.
//   node bench/profile/rss.mjs <worker> <path> <runs>     (the bundles of workers/*/dist)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, WORKERS } from '../../scripts/workers.mjs';
import { runLoad } from '../lib/load.mjs';
import { findWorkerdPids, memory, totalCpuMs } from '../lib/proc-stats.mjs';
import { startStack } from '../lib/stack.mjs';

const [worker, path, runs = '6'] = process.argv.slice(2);
const runDir = mkdtempSync(join(tmpdir(), 'onasis-rss-'));
mkdirSync(join(runDir, 'tmp'));
process.env.TMPDIR = join(runDir, 'tmp');
const bundleDirs = new Map(WORKERS.map((w) => [w.name, join(root, w.dir, 'dist')]));
const stack = await startStack({ bundleDirs, directWorkers: [worker], onLog: () => {} });
try {
  const [pid] = findWorkerdPids();
  const url = new URL(path, stack.urlOf(worker)).href;
  console.log(`start: RSS ${(memory(pid).rssBytes / 2 ** 20).toFixed(0)} MiB`);
  let total = 0;
  for (let i = 0; i < Number(runs); i++) {
    const cpu0 = totalCpuMs([pid]);
    const r = await runLoad({ url, method: 'GET', connections: 8, durationSec: 5 });
    total += r.requests;
    const us = ((totalCpuMs([pid]) - cpu0) * 1000) / r.requests;
    console.log(
      `after ${total} requests: RSS ${(memory(pid).rssBytes / 2 ** 20).toFixed(0)} MiB, ${us.toFixed(0)} µs/req`,
    );
  }
} finally {
  await stack.dispose();
  rmSync(runDir, { recursive: true, force: true });
}
