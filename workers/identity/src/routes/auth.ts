import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { passwordRoutes } from './password.js';
import { registerRoutes } from './register.js';
import { signInRoutes } from './sign-in.js';
import { verifyEmailRoutes } from './verify-email.js';

/** Account, sign-in and token endpoints under /auth, registered in this order (route order matters in Hono). */
export function authRoutes(app: OpenAPIHono<AppEnv>): void {
  registerRoutes(app);
  verifyEmailRoutes(app);
  passwordRoutes(app);
  signInRoutes(app);
}
