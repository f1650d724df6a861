import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { meAccountRoutes } from './me-account.js';
import { meProfileRoutes } from './me-profile.js';
import { meSessionRoutes } from './me-sessions.js';

/** The signed-in user's own account, sessions and data export under /api/v1/users/me. */
export function meRoutes(app: OpenAPIHono<AppEnv>): void {
  // In the order they were registered before the split: profile, delete/export, sessions.
  meProfileRoutes(app);
  meAccountRoutes(app);
  meSessionRoutes(app);
}
