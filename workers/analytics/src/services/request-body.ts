import type { z } from '@hono/zod-openapi';
import { AppError } from '@onasis/http';

/**
 * The body as JSON, whatever its declared type: the tracker sends `text/plain` (the one type a page may send across
 * origins without a preflight). Not JSON is a 400 `MALFORMED_JSON`.
 */
export async function jsonOf(request: Request): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('MALFORMED_JSON', 'The request body is not valid JSON.');
  }
}

/** `value` parsed by `schema`, or a 400 `VALIDATION_FAILED` listing every failed field by its dotted path. */
export function parsed<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', {
    errors: result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  });
}
