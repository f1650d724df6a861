import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';
import { roleRoutes } from './admin-roles.js';
import { userAdminRoutes } from './admin-users.js';

/**
 * Administration: roles (`/api/v1/roles…`) and users (`/api/v1/users`, `/api/v1/users/{id}…`). Registered after
 * the self-service routes, whose `/api/v1/users/me…` must win over `/api/v1/users/{id}`.
 */
export function adminRoutes(app: OpenAPIHono<AppEnv>): void {
  roleRoutes(app);
  userAdminRoutes(app);
}
