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

/** The identity Worker's HTTP surface, served to the gateway through `IdentityService.serve` (and `handle`). */
export const app = createServiceApp<AppEnv>('identity', {
  '/.well-known': wellKnownApp,
  '/auth': authApp,
  '/auth/mfa': mfaApp,
  '/auth/oauth': oauthApp,
  '/api/v1/users/me': meApp,
  '/api/v1/users/me/api-keys': apiKeysApp,
  '/api/v1/users': adminUsersApp,
  '/api/v1/roles': rolesApp,
  '/api/v1/audit-logs': auditLogsApp,
  '/api/v1/signing-keys': signingKeysApp,
});
