import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { adminRoutes } from './routes/admin.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authApp } from './routes/auth.js';
import { meApp } from './routes/me.js';
import { mfaApp } from './routes/mfa.js';
import { oauthApp } from './routes/oauth.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { wellKnownApp } from './routes/well-known.js';

/** The identity Worker's HTTP surface, served to the gateway through `IdentityService.handle`. */
export const app = createServiceApp<AppEnv>('identity', (app) => {
  app.route('/.well-known', wellKnownApp);
  app.route('/auth', authApp);
  app.route('/auth/mfa', mfaApp);
  app.route('/auth/oauth', oauthApp);
  app.route('/api/v1/users/me', meApp);
  apiKeyRoutes(app);
  adminRoutes(app);
  auditRoutes(app);
  signingKeyRoutes(app);
});
