import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { meAccountApp } from './me-account.js';
import { meProfileApp } from './me-profile.js';
import { meSessionsApp } from './me-sessions.js';

/** The signed-in user's own profile, account, data export and sessions under /api/v1/users/me. */
export const meApp = resourceApp<AppEnv>()
  .route('/', meProfileApp)
  .route('/', meAccountApp)
  .route('/sessions', meSessionsApp);
