import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { adminRoutes } from './routes/admin.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { meRoutes } from './routes/me.js';
import { mfaRoutes } from './routes/mfa.js';
import { oauthRoutes } from './routes/oauth.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { wellKnownRoutes } from './routes/well-known.js';

/** The identity Worker's HTTP surface, served to the gateway through `IdentityService.handle`. */
export const app = createServiceApp<AppEnv>('identity', (app) => {
  wellKnownRoutes(app);
  authRoutes(app);
  mfaRoutes(app);
  oauthRoutes(app);
  meRoutes(app);
  apiKeyRoutes(app);
  adminRoutes(app);
  auditRoutes(app);
  signingKeyRoutes(app);
});
