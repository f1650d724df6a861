import { z } from '@hono/zod-openapi';
import { access, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { authenticate } from '../s3/authenticate.js';
import { dispatch } from '../s3/dispatch.js';
import { S3Error, s3ErrorResponse, toS3Error } from '../s3/errors.js';

/**
 * Every `/s3` request: its AWS Signature V4 checked, then the operation its method, path and query name. Whatever
 * fails answers S3's XML error document, never a problem+json: S3 clients parse nothing else.
 */
async function serveS3(c: Context<AppEnv>): Promise<Response> {
  const requestId = c.get('requestId');
  const url = new URL(c.req.url);
  // Hono types its context after an older ExecutionContext than workers-types'; it is the same object.
  const ctx = c.executionCtx as ExecutionContext;
  try {
    const caller = await authenticate(c.env, ctx, c.req.raw);
    const answer = await dispatch({
      env: c.env,
      ctx,
      db: dbOf(c.env.DB),
      request: c.req.raw,
      url,
      caller,
      requestId,
    });
    const response = new Response(answer.body, answer);
    response.headers.set('x-amz-request-id', requestId);
    return response;
  } catch (err) {
    let s3 = toS3Error(err);
    if (!s3) {
      c.get('log').error('s3 request failed', {
        err: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
      s3 = new S3Error('InternalError', 'We encountered an internal error. Please try again.');
    }
    if (c.req.raw.body && !c.req.raw.bodyUsed) await c.req.raw.body.cancel().catch(() => {});
    return s3ErrorResponse(s3, url.pathname, requestId, c.req.method);
  }
}

/** `/s3`: the S3-compatible API (path-style, one bucket `files`), authenticated by AWS Signature V4. */
export const s3Routes = resourceApp<AppEnv>();

s3Routes.all('/', serveS3);
s3Routes.all('/*', serveS3);

// The handlers above take every method and path; these entries only document them. The gateway lets `/s3` through
// unauthenticated (`public`): each request is signed with an S3 access key, which this Worker checks.
const { middleware: _checkedInHandler, ...publicAccess } = access('public');
const xml = (description: string) => ({ description, content: { 'application/xml': { schema: z.string() } } });
const SIGNED =
  'Authenticated with AWS Signature Version 4 (an `Authorization` header, or a presigned URL) made with an access key ' +
  'from `POST /api/v1/files/s3-keys`; region any (`auto`), service `s3`. Errors are S3 XML documents.';
const objectParams = z.object({
  bucket: z.string().openapi({ example: 'files', description: 'Always `files`.' }),
  key: z.string().openapi({
    example: 'reports/2026/summary.pdf',
    description: 'The object key: folder path and file name; it may hold `/`.',
  }),
});
const ERRORS = {
  400: xml('InvalidArgument, KeyTooLongError, MalformedXML, InvalidPart, InvalidPartOrder, EntityTooLarge, …'),
  403: xml('AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, QuotaExceeded'),
  404: xml('NoSuchBucket, NoSuchKey, NoSuchUpload'),
};

s3Routes.openAPIRegistry.registerPath({
  method: 'get',
  path: '/',
  ...publicAccess,
  tags: ['files'],
  summary: 'S3 ListBuckets',
  description: `The one bucket, \`files\`. ${SIGNED}`,
  responses: { 200: xml('ListAllMyBucketsResult'), 403: ERRORS[403] },
});

const objectOps = [
  [
    'get',
    'S3 GetObject, ListObjectsV2 or ListParts',
    'GetObject (with `Range`, `If-None-Match`); on the bucket (`/s3/files?list-type=2`) ListObjectsV2; with `uploadId` ListParts.',
  ],
  [
    'head',
    'S3 HeadObject or HeadBucket',
    'The object’s headers (`ETag`, `Content-Length`, `Content-Type`, `Last-Modified`).',
  ],
  [
    'put',
    'S3 PutObject or UploadPart',
    'PutObject (replaces the file at the key); with `partNumber` and `uploadId` UploadPart.',
  ],
  [
    'delete',
    'S3 DeleteObject or AbortMultipartUpload',
    'DeleteObject (to the trash; a missing key is 204 too); with `uploadId` AbortMultipartUpload.',
  ],
  [
    'post',
    'S3 CreateMultipartUpload or CompleteMultipartUpload',
    'With `uploads` CreateMultipartUpload; with `uploadId` CompleteMultipartUpload (an XML list of parts); on the bucket with `delete` (`/s3/files?delete`) DeleteObjects.',
  ],
] as const;

for (const [method, summary, what] of objectOps) {
  s3Routes.openAPIRegistry.registerPath({
    method,
    path: '/{bucket}/{key}',
    ...publicAccess,
    tags: ['files'],
    summary,
    description: `${what} Scoped to the key owner's live files. ${SIGNED}`,
    request: { params: objectParams },
    responses: { 200: xml('The operation’s answer'), ...ERRORS },
  });
}
