// The vitest project of a domain Worker: its own wrangler.toml inside workerd, its D1 migrated before each file.
import { readFileSync } from 'node:fs';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { root } from './workers.mjs';

/** A Worker that consumes the given queues and records every message, for tests to read what was sent. */
export function queueRecorder(queues) {
  return {
    name: 'queue-recorder',
    modules: true,
    // Inline: a script path outside the project's root is refused by workerd.
    script: readFileSync(`${root}/packages/testing/src/queue-recorder.js`, 'utf8'),
    compatibilityDate: '2026-11-01',
    d1Databases: { RECORDED: 'queue-recorder' },
    queueConsumers: Object.fromEntries(queues.map((q) => [q, { maxBatchSize: 10, maxBatchTimeout: 0 }])),
  };
}

/**
 * @param {string} name domain Worker name, e.g. `jobs`
 * @param {{
 *   secrets?: Record<string, string>,
 *   bindings?: Record<string, unknown> | ((inject: <T>(key: string) => T) => Record<string, unknown>),
 *   globalSetup?: string | string[],
 *   recordQueues?: string[],
 * }} [options] `secrets`: values for the secrets the Worker declares as required. `bindings`: more bindings (vars
 *   override the wrangler.toml ones), or a function of vitest's `inject` to build them from what a `globalSetup`
 *   provided, such as the port of a local server. `globalSetup`: files relative to the Worker's folder, run in Node
 *   before the project's tests (and their teardown after). `recordQueues`: queues whose messages the tests read
 *   through the `QUEUE_RECORDER` service binding.
 */
export async function domainWorkerProject(name, { secrets = {}, bindings = {}, globalSetup, recordQueues = [] } = {}) {
  const migrations = await readD1Migrations(`${root}/migrations/${name}`);
  const recorder = recordQueues.length > 0 ? queueRecorder(recordQueues) : null;
  const options = (extra) => ({
    wrangler: { configPath: `${root}/workers/${name}/wrangler.toml` },
    miniflare: {
      bindings: { ...secrets, ...extra, TEST_MIGRATIONS: migrations },
      ...(recorder && { serviceBindings: { QUEUE_RECORDER: 'queue-recorder' }, workers: [recorder] }),
    },
  });
  return defineConfig({
    plugins: [
      cloudflareTest(typeof bindings === 'function' ? ({ inject }) => options(bindings(inject)) : options(bindings)),
    ],
    test: {
      name,
      root: `${root}/workers/${name}`,
      setupFiles: [`${root}/packages/testing/src/apply-migrations.ts`],
      ...(globalSetup && { globalSetup }),
    },
  });
}
