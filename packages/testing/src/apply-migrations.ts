import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

declare global {
  namespace Cloudflare {
    interface Env {
      /** The Worker's migrations, read by its vitest config and bound for this setup file. */
      TEST_MIGRATIONS: D1Migration[];
      /** Migrations of the auxiliary domain Workers' databases, by Worker name; each database is bound as `<NAME>_DB`. */
      TEST_AUX_MIGRATIONS: Record<string, D1Migration[]>;
    }
  }
}

// A vitest setup file for domain Workers: runs before every test file, and applying is idempotent, so each file
// starts from the full schema.
await applyD1Migrations((env as unknown as { DB: D1Database }).DB, env.TEST_MIGRATIONS);
for (const [name, migrations] of Object.entries(env.TEST_AUX_MIGRATIONS ?? {})) {
  const db = (env as unknown as Record<string, D1Database | undefined>)[`${name.toUpperCase()}_DB`];
  if (!db) throw new Error(`no test binding for the ${name} database`);
  await applyD1Migrations(db, migrations);
}
