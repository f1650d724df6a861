import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { passwordApp } from './password.js';
import { registerApp } from './register.js';
import { signInApp } from './sign-in.js';
import { verifyEmailApp } from './verify-email.js';

/** Accounts, sign-in and tokens under /auth: each flow is a sub-app of its own file. */
export const authApp = resourceApp<AppEnv>()
  .route('/register', registerApp)
  .route('/verify-email', verifyEmailApp)
  .route('/password', passwordApp)
  .route('/', signInApp);
