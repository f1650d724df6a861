// Runs load-runner.mjs in a child process for one autocannon run and returns its figures.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('./load-runner.mjs', import.meta.url));
const running = new Set();

/** Kills any load generator still running (used on SIGINT and on failure). */
export function stopLoad() {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * `{ url, connections, durationSec, method, headers, body }` → `{ requests, reqPerSec, p50Ms, p99Ms, non2xx, errors,
 * timeouts, statusCodes, loadgenCpuMs, … }`.
 */
export function runLoad(opts) {
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    running.add(child);
    let answer;
    child.on('message', (m) => (answer = m));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      running.delete(child);
      if (answer?.ok) resolve(answer.result);
      else reject(new Error(answer?.error ?? `load generator exited (${signal ?? code}) without a result`));
    });
    child.send(opts);
  });
}
