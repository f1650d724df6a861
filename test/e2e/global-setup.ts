// Boots the whole platform once for the end-to-end suite: a fresh local state in a temporary directory, every
// database migrated, the admin seeded, all seven Workers in one `wrangler dev` on free ports. Tests get its URL
// through `inject('baseUrl')`. Set E2E_PLATFORM_LOG=1 to stream wrangler's output while the suite runs.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations, freePort, seedAdmin, startPlatform } from '../../scripts/platform.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the running gateway, e.g. `http://127.0.0.1:41234`. */
    baseUrl: string;
    /** The bearer token `/metrics` requires in this run. */
    metricsToken: string;
  }
}

/** Password of the seeded admin `admin@onasis.local` in this run. */
const ADMIN_PASSWORD = 'e2e-admin-password';
const PASSWORD_PEPPER = 'e2e-pepper';

interface Platform {
  url: string;
  stop(): Promise<void>;
  output(): string;
}

/**
 * Ends any process still running with `persistTo` on its command line: wrangler started by `startPlatform` before
 * it resolved (so there is no `stop()` yet), or a `wrangler d1` run of the setup. The directory is unique to this
 * run, so only processes this setup started match; each is ended by its own id (and its group, if it leads one).
 */
function endProcessesUsing(persistTo: string): void {
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmdline.split('\0').includes(persistTo)) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {}
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const persistTo = mkdtempSync(join(tmpdir(), 'onasis-e2e-'));
  // A token of this run's own: `--var` overrides .dev.vars, so a developer's METRICS_TOKEN cannot change what the
  // metrics tests see, and the tests can check that the token is enforced.
  const metricsToken = `e2e-${randomBytes(16).toString('hex')}`;
  let platform: Platform | undefined;
  let cleanedUp = false;

  // Synchronous on purpose: on Ctrl-C vitest exits a moment after the signal, before any teardown can run.
  // `stop()` sends SIGTERM to wrangler's process group before its first await.
  const cleanUpNow = (): void => {
    if (cleanedUp) return;
    cleanedUp = true;
    if (platform) void platform.stop();
    else endProcessesUsing(persistTo);
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUpNow();
    // Vitest normally has its own listener and exits; without one, ours must not swallow the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanUpNow);
  const removeListeners = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', cleanUpNow);
  };

  try {
    await applyMigrations(persistTo);
    await seedAdmin(persistTo, { password: ADMIN_PASSWORD, pepper: PASSWORD_PEPPER });
    const port: number = await freePort();
    let inspectorPort: number = await freePort();
    while (inspectorPort === port) inspectorPort = await freePort();
    platform = await startPlatform({
      port,
      inspectorPort,
      persistTo,
      vars: { METRICS_TOKEN: metricsToken },
      readyTimeoutMs: 180_000,
      onOutput: process.env.E2E_PLATFORM_LOG ? (text: string) => process.stderr.write(text) : undefined,
    });
  } catch (err) {
    cleanUpNow();
    removeListeners();
    throw err;
  }

  project.provide('baseUrl', platform.url);
  project.provide('metricsToken', metricsToken);

  return async () => {
    removeListeners();
    if (cleanedUp) return;
    cleanedUp = true;
    await platform?.stop();
    rmSync(persistTo, { recursive: true, force: true, maxRetries: 3 });
  };
}
