// The vitest project of a domain Worker: its own wrangler.toml inside workerd, its D1 migrated before each file.
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { root } from './workers.mjs';

/**
 * @param {string} name domain Worker name, e.g. `jobs`
 * @param {{ secrets?: Record<string, string> }} [options] values for the secrets the Worker declares as required
 */
export async function domainWorkerProject(name, { secrets = {} } = {}) {
  const migrations = await readD1Migrations(`${root}/migrations/${name}`);
  return defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: `${root}/workers/${name}/wrangler.toml` },
        miniflare: { bindings: { ...secrets, TEST_MIGRATIONS: migrations } },
      }),
    ],
    test: { name, root: `${root}/workers/${name}`, setupFiles: [`${root}/packages/testing/src/apply-migrations.ts`] },
  });
}
