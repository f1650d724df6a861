import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../context.js';

export function mfaRoutes(_app: OpenAPIHono<AppEnv>): void {}
