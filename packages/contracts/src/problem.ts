import { z } from '@hono/zod-openapi';

/** One failed field of a `VALIDATION_FAILED` problem. */
export const FieldErrorSchema = z
  .object({ path: z.string().openapi({ example: 'email' }), message: z.string() })
  .openapi('FieldError');

/** RFC 9457 problem details, the body of every error response. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://docs.onasis.dev/errors#validation-failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    requestId: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .openapi('Problem');

/** The body of an error response. */
export type Problem = z.infer<typeof ProblemSchema>;
