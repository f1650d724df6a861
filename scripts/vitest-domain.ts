// The vitest project of a domain Worker: its own wrangler.toml inside workerd, its D1 migrated before each file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudflareTest, type D1Migration, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { buildWorkers } from './build.mjs';
import { bundledWorkerOptions } from './miniflare-options.mjs';
import { root } from './workers.mjs';

/** What `cloudflareTest` takes: the pool options, or a function of the project's context that answers them. */
type PoolOptionsInput = Parameters<typeof cloudflareTest>[0];
type PoolOptions = Exclude<PoolOptionsInput, (...args: never[]) => unknown>;
type PoolContext = Parameters<Extract<PoolOptionsInput, (...args: never[]) => unknown>>[0];

/** A Miniflare Worker definition, as the pool's `miniflare.workers` takes it. */
export type MiniflareWorker = NonNullable<NonNullable<PoolOptions['miniflare']>['workers']>[number];

/** Reads a value a `globalSetup` file provided (vitest's `inject`), such as the port of a local server. */
export type Inject = <T = unknown>(key: string) => T;

/** Options of `domainWorkerProject`; every one may be left out. */
export interface DomainWorkerProjectOptions {
  /** Values for the secrets the Worker declares as required. */
  secrets?: Record<string, string>;
  /**
   * More bindings (vars override the wrangler.toml ones), or a function of vitest's `inject` to build them from what
   * a `globalSetup` provided, such as the port of a local server.
   */
  bindings?: Record<string, unknown> | ((inject: Inject) => Record<string, unknown>);
  /** Files relative to the Worker's folder, run in Node before the project's tests (and their teardown after). */
  globalSetup?: string | string[];
  /** Queues whose messages the tests read through the `QUEUE_RECORDER` service binding. */
  recordQueues?: string[];
  /**
   * Other domain Workers (e.g. `['identity']`) to run for real beside this one, so that its service bindings to them
   * work; their databases are migrated too and bound to the tested Worker as `<NAME>_DB`.
   */
  auxWorkers?: string[];
  /** Miniflare Worker definitions run beside it, such as a fixture standing in for a service under its name. */
  extraWorkers?: MiniflareWorker[];
  /**
   * More Miniflare options for the tested Worker (e.g. `queueProducers` pointing a binding at a queue the test reads
   * instead of one the Worker consumes itself).
   */
  miniflare?: Record<string, unknown>;
}

/** Stand-ins for the secrets domain Workers require (in production they come from `wrangler secret put`). */
export const TEST_SECRETS: Record<string, string> = {
  PASSWORD_PEPPER: 'test-pepper',
  KEY_ENCRYPTION_KEY: 'test-key-encryption-key-of-32-chars-or-more',
  UNSUBSCRIBE_SIGNING_KEY: 'test-unsubscribe-signing-key',
  FILES_SIGNING_KEY: 'test-files-signing-key',
  FILES_SEALING_KEY: 'test-files-sealing-key-of-32-chars-or-more',
  // Optional for payments, set here so that its webhook route checks signatures rather than answering 503.
  STRIPE_WEBHOOK_SECRET: 'whsec_onasis_local_test_secret',
};

interface AuxiliaryWorkers {
  workers: MiniflareWorker[];
  d1Databases: Record<string, string>;
  migrations: Record<string, D1Migration[]>;
}

/**
 * The named domain Workers, bundled as `wrangler deploy` would bundle them into a folder of this run's own, as
 * Miniflare auxiliary Workers; plus each one's database (bound to the tested Worker as `<NAME>_DB`, for the setup
 * file to migrate) and migrations.
 */
async function auxiliaryDomainWorkers(names: string[]): Promise<AuxiliaryWorkers> {
  if (names.length === 0) return { workers: [], d1Databases: {}, migrations: {} };
  const outRoot = mkdtempSync(join(tmpdir(), 'onasis-domain-test-'));
  process.on('exit', () => rmSync(outRoot, { recursive: true, force: true }));
  const built: { name: string; outdir: string }[] = await buildWorkers({ names, outRoot });
  const workers = built.map(({ name, outdir }) => bundledWorkerOptions(name, outdir, TEST_SECRETS));
  const d1Databases: Record<string, string> = Object.fromEntries(
    workers.map((w) => [`${w.name.slice('onasis-'.length).toUpperCase()}_DB`, w.d1Databases.DB]),
  );
  const migrations = Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, await readD1Migrations(`${root}/migrations/${name}`)] as const)),
  );
  return { workers, d1Databases, migrations };
}

/** A Worker that consumes the given queues and records every message, for tests to read what was sent. */
function queueRecorder(queues: string[]): MiniflareWorker {
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

/** The vitest project of the domain Worker `name` (e.g. `jobs`); see `DomainWorkerProjectOptions`. */
export async function domainWorkerProject(name: string, options: DomainWorkerProjectOptions = {}) {
  const {
    secrets = {},
    bindings = {},
    globalSetup,
    recordQueues = [],
    auxWorkers = [],
    extraWorkers = [],
    miniflare = {},
  } = options;
  const migrations = await readD1Migrations(`${root}/migrations/${name}`);
  const recorder = recordQueues.length > 0 ? queueRecorder(recordQueues) : null;
  const aux = await auxiliaryDomainWorkers(auxWorkers);
  const workers = [...(recorder ? [recorder] : []), ...aux.workers, ...extraWorkers];
  const poolOptions = (extra: Record<string, unknown>): PoolOptions => ({
    wrangler: { configPath: `${root}/workers/${name}/wrangler.toml` },
    miniflare: {
      bindings: { ...secrets, ...extra, TEST_MIGRATIONS: migrations, TEST_AUX_MIGRATIONS: aux.migrations },
      d1Databases: aux.d1Databases,
      ...(recorder && { serviceBindings: { QUEUE_RECORDER: 'queue-recorder' } }),
      ...(workers.length > 0 && { workers }),
      ...miniflare,
    },
  });
  return defineConfig({
    plugins: [
      cloudflareTest(
        typeof bindings === 'function'
          ? ({ inject }: PoolContext) => poolOptions(bindings(inject as Inject))
          : poolOptions(bindings),
      ),
    ],
    test: {
      name,
      root: `${root}/workers/${name}`,
      setupFiles: [`${root}/packages/testing/src/apply-migrations.ts`],
      ...(globalSetup && { globalSetup }),
    },
  });
}
