import type { Hook } from '@hono/zod-openapi';
import { AppError } from './app-error.js';

/** Turns a failed zod-openapi validation into a 400 `VALIDATION_FAILED` listing every failed field. */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route regardless of its schemas.
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    path: [result.target === 'json' ? '' : result.target, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
  throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors });
};
