import { bucketLocation, headBucket, listBuckets } from './bucket-ops.js';
import type { S3Call } from './context.js';
import { deleteObjects } from './delete-objects.js';
import { S3Error } from './errors.js';
import { listObjectsV2 } from './list-objects.js';
import { listParts } from './list-parts.js';
import { abortMultipartUpload } from './multipart-abort.js';
import { completeMultipartUpload } from './multipart-complete.js';
import { createMultipartUpload } from './multipart-create.js';
import { BUCKET, objectKeyFrom, pathParts } from './object-key.js';
import { deleteObject, getObject, putObject } from './object-ops.js';
import { uploadPart } from './upload-part.js';

const notImplemented = (what: string) =>
  new S3Error('NotImplemented', `${what} is not offered by this S3-compatible API.`);

function bucketOperation(call: S3Call): Promise<Response> | Response {
  const q = call.url.searchParams;
  const method = call.request.method;
  if (method === 'HEAD') return headBucket();
  if (method === 'GET') {
    if (q.has('location')) return bucketLocation();
    if (q.get('list-type') === '2') return listObjectsV2(call);
    if (q.has('uploads')) throw notImplemented('ListMultipartUploads');
    if ([...q.keys()].length === 0) throw notImplemented('ListObjects (version 1); use ListObjectsV2');
    throw notImplemented('This bucket operation');
  }
  if (method === 'POST' && q.has('delete')) return deleteObjects(call);
  throw notImplemented(`${method} on a bucket`);
}

function objectOperation(call: S3Call, rawKey: string): Promise<Response> {
  const q = call.url.searchParams;
  const key = objectKeyFrom(rawKey);
  switch (call.request.method) {
    case 'GET':
      return q.has('uploadId') ? listParts(call, key) : getObject(call, key);
    case 'HEAD':
      return getObject(call, key);
    case 'PUT':
      if (q.has('uploadId') || q.has('partNumber')) return uploadPart(call, key);
      return putObject(call, key);
    case 'DELETE':
      return q.has('uploadId') ? abortMultipartUpload(call, key) : deleteObject(call, key);
    case 'POST':
      if (q.has('uploads')) return createMultipartUpload(call, key);
      if (q.has('uploadId')) return completeMultipartUpload(call, key);
      throw notImplemented('This POST');
    default:
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.');
  }
}

/** The S3 operation a signed request names, by method, path and query, as S3 routes path-style requests. */
export async function dispatch(call: S3Call): Promise<Response> {
  const { bucket, key } = pathParts(call.url.pathname);
  if (bucket === null) {
    if (call.request.method === 'GET') return listBuckets(call);
    throw notImplemented(`${call.request.method} on the service`);
  }
  if (bucket !== BUCKET)
    throw new S3Error('NoSuchBucket', `The specified bucket does not exist; the bucket is "${BUCKET}".`);
  return key === null ? bucketOperation(call) : objectOperation(call, key);
}
