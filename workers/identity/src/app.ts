import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { adminUsersApp } from './routes/admin-users.js';
import { apiKeysApp } from './routes/api-keys.js';
import { auditLogsApp } from './routes/audit-logs.js';
import { authApp } from './routes/auth.js';
import { meApp } from './routes/me.js';
import { mfaApp } from './routes/mfa.js';
import { oauthApp } from './routes/oauth.js';
import { rolesApp } from './routes/roles.js';
import { signingKeysApp } from './routes/signing-keys.js';
import { wellKnownApp } from './routes/well-known.js';

/** The identity Worker's HTTP surface, served to the gateway through `IdentityService.handle`. */
export const app = createServiceApp<AppEnv>('identity', (app) => {
  app.route('/.well-known', wellKnownApp);
  app.route('/auth', authApp);
  app.route('/auth/mfa', mfaApp);
  app.route('/auth/oauth', oauthApp);
  app.route('/api/v1/users/me', meApp);
  app.route('/api/v1/users/me/api-keys', apiKeysApp);
  app.route('/api/v1/users', adminUsersApp);
  app.route('/api/v1/roles', rolesApp);
  app.route('/api/v1/audit-logs', auditLogsApp);
  app.route('/api/v1/signing-keys', signingKeysApp);
});
