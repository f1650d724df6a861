import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { wellKnownRoutes } from './routes/well-known.js';

/** The identity Worker's HTTP surface, served to the gateway through `IdentityService.handle`. */
export const app = createServiceApp<AppEnv>('identity', (app) => {
  wellKnownRoutes(app);
});
