import type { ErrorCode } from '@onasis/contracts';

/** A failed field, as listed in a `VALIDATION_FAILED` problem. */
export interface FieldError {
  path: string;
  message: string;
}

/** An expected failure; `onError` turns it into the problem+json answer of its code. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    code: ErrorCode,
    detail?: string,
    options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    // An expected failure needs no stack trace, and capturing one is the dearest part of building an Error.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(detail ?? code);
    Error.stackTraceLimit = limit;
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}
