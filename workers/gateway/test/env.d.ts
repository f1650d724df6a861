import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      FAULT_THROWS: Service;
      FAULT_HANGS: Service;
      FAULT_DEGRADED: Service;
      FAULT_ECHO: Service;
      FAULT_FORGETS: Service;
      TEST_MIGRATIONS: Record<string, D1Migration[]>;
      /** Identity's database (the one its Worker under test uses), for fixtures the API cannot create. */
      IDENTITY_DB: D1Database;
    }
  }
}
