import { ERROR_CODES } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import { xmlDocument, xmlResponse } from './xml.js';

/** The S3 error codes this API answers, with S3's status for each. */
export const S3_ERRORS = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NotImplemented: 501,
  OperationAborted: 409,
  PreconditionFailed: 412,
  // Not one of AWS's codes: a refusal retrying cannot fix, so S3's status for refusals (403), not 413, which S3
  // clients do not expect and some retry.
  QuotaExceeded: 403,
  RequestTimeTooSkewed: 403,
  ServiceUnavailable: 503,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

/** An S3 error code. */
export type S3ErrorCode = keyof typeof S3_ERRORS;

/** An S3 failure, answered as S3's XML error document. */
export class S3Error extends Error {
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

// What the platform's own refusals (thrown by the services S3 calls share with the JSON API) are in S3's terms.
const FROM_APP_ERROR: Partial<Record<AppError['code'], S3ErrorCode>> = {
  VALIDATION_FAILED: 'InvalidArgument',
  BAD_REQUEST: 'InvalidRequest',
  NOT_FOUND: 'NoSuchKey',
  FILE_EXISTS: 'OperationAborted',
  CONFLICT: 'OperationAborted',
  PAYLOAD_TOO_LARGE: 'EntityTooLarge',
  STORAGE_QUOTA_EXCEEDED: 'QuotaExceeded',
  CONTENT_TYPE_MISMATCH: 'InvalidArgument',
  FILE_TYPE_REFUSED: 'InvalidArgument',
  UNSUPPORTED_MEDIA_TYPE: 'InvalidArgument',
  RANGE_NOT_SATISFIABLE: 'InvalidRange',
  PRECONDITION_FAILED: 'PreconditionFailed',
  GONE: 'NoSuchKey',
  SERVICE_UNAVAILABLE: 'ServiceUnavailable',
  UPSTREAM_FAILED: 'ServiceUnavailable',
  UPSTREAM_TIMEOUT: 'ServiceUnavailable',
};

/** The S3 error an AppError stands for, keeping its message; null for one that is no client's doing. */
export function s3ErrorOf(err: AppError): S3Error | null {
  const code = FROM_APP_ERROR[err.code];
  const headers = err.headers ?? {};
  if (code) return new S3Error(code, err.detail ?? err.message, headers);
  return ERROR_CODES[err.code].status < 500 ? new S3Error('InvalidRequest', err.detail ?? err.message, headers) : null;
}

/** S3's XML error document for `err`, naming the resource and the request. */
export function s3ErrorResponse(err: S3Error, resource: string, requestId: string, method = 'GET'): Response {
  const status = S3_ERRORS[err.code];
  const headers = { 'x-amz-request-id': requestId, ...err.headers };
  // A HEAD answer has no body: S3 clients read the code from the status alone.
  if (method === 'HEAD') return new Response(null, { status, headers: { ...headers } });
  const xml = xmlDocument(
    'Error',
    { Code: err.code, Message: err.message, Resource: resource, RequestId: requestId },
    false,
  );
  return xmlResponse(xml, status, headers);
}

/** Whether `err` is one of ours or a platform refusal S3 can name; anything else is an internal error. */
export function toS3Error(err: unknown): S3Error | null {
  if (err instanceof S3Error) return err;
  if (err instanceof AppError) return s3ErrorOf(err);
  return null;
}
