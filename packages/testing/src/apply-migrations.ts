import { applyD1Migrations, type D1Migration } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

declare global {
  namespace Cloudflare {
    interface Env {
      /** The Worker's migrations, read by its vitest config and bound for this setup file. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

// A vitest setup file for domain Workers: runs before every test file, and applying is idempotent, so each file
// starts from the full schema.
await applyD1Migrations((env as unknown as { DB: D1Database }).DB, env.TEST_MIGRATIONS);
