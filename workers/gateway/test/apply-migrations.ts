import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';

// The domain Workers under the gateway share these databases; each starts from its full schema.
for (const [name, migrations] of Object.entries(env.TEST_MIGRATIONS)) {
  const db = (env as unknown as Record<string, D1Database>)[`${name.toUpperCase()}_DB`];
  if (!db) throw new Error(`no test binding for the ${name} database`);
  await applyD1Migrations(db, migrations);
}
