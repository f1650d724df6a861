import type { components } from './schema.js';

export type Problem = components['schemas']['Problem'];
export type FieldError = components['schemas']['FieldError'];

/** What stands in for a problem body when the answer had none (a proxy's page, a dropped connection). */
export interface ErrorFallback {
  message?: string | undefined;
  requestId?: string | null | undefined;
  code?: string | undefined;
  cause?: unknown;
}

/**
 * Every non-2xx answer of the platform, as one error: the problem+json body's `code`, `status`, `requestId` and
 * field `errors`. A body that is not problem+json (a proxy's HTML page, a dropped connection) still becomes one,
 * with the code `HTTP_<status>` (or `NETWORK_ERROR`, status 0), so callers have one kind of error to handle.
 */
export class OnasisError extends Error {
  override readonly name = 'OnasisError';
  readonly code: string;
  readonly status: number;
  readonly requestId: string | null;
  readonly errors: FieldError[];
  readonly problem: Problem | null;

  constructor(status: number, problem: Problem | null, fallback?: ErrorFallback) {
    super(
      problem?.detail ?? problem?.title ?? fallback?.message ?? `HTTP ${status}`,
      fallback?.cause === undefined ? undefined : { cause: fallback.cause },
    );
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? fallback?.code ?? (status === 0 ? 'NETWORK_ERROR' : `HTTP_${status}`);
    this.requestId = problem?.requestId ?? fallback?.requestId ?? null;
    this.errors = problem?.errors ?? [];
  }

  /** The error a failed response stands for; reads the body, so pass a response nobody else reads. */
  static async from(response: Response): Promise<OnasisError> {
    const text = await response.text().catch(() => '');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: the status and the request id are all there is.
    }
    return OnasisError.of(response, body);
  }

  /** The error of `response` whose body was already read and parsed (JSON when it was, else its text). */
  static of(response: Response, body: unknown): OnasisError {
    if (isProblemBody(body)) return new OnasisError(response.status, body);
    return new OnasisError(response.status, null, {
      requestId: response.headers.get('x-request-id'),
      message:
        typeof body === 'string' && body.length > 0 && body.length < 200 ? body : response.statusText || undefined,
    });
  }

  /** A request that got no answer at all: `NETWORK_ERROR`, status 0, the fetch failure as `cause`. */
  static network(cause: unknown): OnasisError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new OnasisError(0, null, { message: `The request got no answer: ${reason}`, cause });
  }
}

function isProblemBody(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && typeof (body as Problem).code === 'string';
}

/** Whether `err` is the platform's answer `code` (for example `isProblem(err, 'NOT_FOUND')`). */
export function isProblem(err: unknown, code?: string): err is OnasisError {
  return err instanceof OnasisError && (code === undefined || err.code === code);
}
