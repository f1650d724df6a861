import type { components } from './schema.js';

export type Problem = components['schemas']['Problem'];
export type FieldError = components['schemas']['FieldError'];

/**
 * Every non-2xx answer of the platform, as one error: the problem+json body's `code`, `status`, `requestId` and
 * field `errors`. A body that is not problem+json (a proxy's HTML page, a dropped connection) still becomes one,
 * with the code `HTTP_<status>` (or `NETWORK_ERROR`), so callers have one kind of error to handle.
 */
export class OnasisError extends Error {
  override readonly name = 'OnasisError';
  readonly code: string;
  readonly status: number;
  readonly requestId: string | null;
  readonly errors: FieldError[];
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, fallback?: { message?: string; requestId?: string | null }) {
    super(problem?.detail ?? problem?.title ?? fallback?.message ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? (status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`);
    this.requestId = problem?.requestId ?? fallback?.requestId ?? null;
    this.errors = problem?.errors ?? [];
  }

  /** The error a failed response stands for; reads the body, so pass a response nobody else reads. */
  static async from(response: Response): Promise<OnasisError> {
    const requestId = response.headers.get('x-request-id');
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      const body = (await response.json().catch(() => null)) as Partial<Problem> | null;
      if (body && typeof body.code === 'string') return new OnasisError(response.status, body as Problem);
    }
    return new OnasisError(response.status, null, { requestId, message: response.statusText || undefined });
  }
}

/** Whether `err` is the platform's answer `code` (for example `isProblem(err, 'NOT_FOUND')`). */
export function isProblem(err: unknown, code?: string): err is OnasisError {
  return err instanceof OnasisError && (code === undefined || err.code === code);
}
