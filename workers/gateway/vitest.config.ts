import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { buildWorkers } from '../../scripts/build.mjs';
import { bundledWorkerOptions } from '../../scripts/miniflare-options.mjs';
import { freePort } from '../../scripts/platform.mjs';
import { TEST_SECRETS } from '../../scripts/vitest-domain.js';
import { DOMAIN_WORKERS, root } from '../../scripts/workers.mjs';

// The gateway is tested against the real domain Workers, bundled as `wrangler deploy` would bundle them, plus a
// fault injector for the failures a real service cannot be made to produce on demand.
// Into a folder of this run's own: two runs at once (two developers, or an editor and a terminal) must not delete
// each other's bundles mid-start.
const bundlesDir = mkdtempSync(join(tmpdir(), 'onasis-gateway-test-'));
process.on('exit', () => rmSync(bundlesDir, { recursive: true, force: true }));
const built = await buildWorkers({ names: DOMAIN_WORKERS, outRoot: bundlesDir });
const migrations = Object.fromEntries(
  await Promise.all(DOMAIN_WORKERS.map(async (name) => [name, await readD1Migrations(`${root}/migrations/${name}`)])),
);
// Payments has PayPal configured, pointed at the local PayPal server that test/paypal.global.ts starts on this port.
const paypalPort: number = await freePort();
process.env.ONASIS_TEST_PAYPAL_PORT = String(paypalPort);
const PAYPAL = {
  PAYPAL_CLIENT_ID: 'gateway-tests',
  PAYPAL_CLIENT_SECRET: 'secret-gateway-tests',
  PAYPAL_WEBHOOK_ID: 'WH-GATEWAY-TESTS',
  PAYPAL_API_BASE: `http://127.0.0.1:${paypalPort}`,
};
const domainWorkers = built.map(({ name, outdir }) =>
  bundledWorkerOptions(name, outdir, name === 'payments' ? { ...TEST_SECRETS, ...PAYPAL } : TEST_SECRETS),
);

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: '../../wrangler.toml' },
      miniflare: {
        // Pinned here so that a developer's own .dev.vars cannot change what the tests see.
        bindings: {
          HEALTH_TIMEOUT_MS: '300',
          UPSTREAM_TIMEOUT_MS: '500',
          METRICS_TOKEN: '',
          IDEMPOTENCY_SEALING_KEY: 'test-idempotency-sealing-key-of-32-chars-or-more',
          // No rate limits for suites that sign in dozens of times from one (absent) address; rate-limit.test.ts and
          // upstash.test.ts turn the built-in table or their own back on per request.
          RATE_LIMIT_POLICIES: '[]',
          TEST_MIGRATIONS: migrations,
          // test/hostile-input.test.ts runs a fixed seed; these let a developer explore others and more runs per kind.
          HOSTILE_SEED: process.env.HOSTILE_SEED ?? '',
          HOSTILE_RUNS: process.env.HOSTILE_RUNS ?? '',
        },
        // The domain databases, bound here too so that a setup file can migrate them before the tests call in.
        d1Databases: Object.fromEntries(
          domainWorkers.map((w) => [`${w.name.slice('onasis-'.length).toUpperCase()}_DB`, w.d1Databases.DB]),
        ),
        serviceBindings: {
          FAULT_THROWS: { name: 'fault-injector', entrypoint: 'Throws' },
          FAULT_HANGS: { name: 'fault-injector', entrypoint: 'Hangs' },
          FAULT_DEGRADED: { name: 'fault-injector', entrypoint: 'Degraded' },
          FAULT_FLAKY: { name: 'fault-injector', entrypoint: 'Flaky' },
          FAULT_ECHO: { name: 'fault-injector', entrypoint: 'Echo' },
          FAULT_FORGETS: { name: 'fault-injector', entrypoint: 'Forgets' },
        },
        workers: [
          ...domainWorkers,
          {
            name: 'fault-injector',
            modules: true,
            scriptPath: new URL('./test/fixtures/fault-injector.js', import.meta.url).pathname,
            compatibilityDate: '2026-11-01',
          },
        ],
      },
    }),
  ],
  test: {
    name: 'gateway',
    // Attack tests sign several users in (PBKDF2, tens of ms of CPU each) and run beside the other projects on two
    // cores: 5 s is too close for a journey of a dozen requests when the machine is busy.
    testTimeout: 15_000,
    setupFiles: ['./test/apply-migrations.ts'],
    // A real redis-server behind the Upstash REST emulator, for the Upstash limiter's tests; the local PayPal server.
    globalSetup: ['./test/redis.global.ts', './test/paypal.global.ts'],
  },
});
