import type { S3Call } from './context.js';
import { BUCKET } from './object-key.js';
import { xmlDocument, xmlResponse } from './xml.js';

// The bucket has no creation date of its own: every user's view of it began with the service.
const BUCKET_CREATED = '2026-01-01T00:00:00.000Z';

/** ListBuckets: the one bucket, `files`, owned by the key's user. */
export function listBuckets(call: S3Call): Response {
  const xml = xmlDocument('ListAllMyBucketsResult', {
    Owner: { ID: call.caller.owner.userId, DisplayName: call.caller.owner.userId },
    Buckets: { Bucket: { Name: BUCKET, CreationDate: BUCKET_CREATED } },
  });
  return xmlResponse(xml);
}

/** HeadBucket: the bucket exists for every key holder. */
export const headBucket = (): Response =>
  new Response(null, { status: 200, headers: { 'x-amz-bucket-region': 'auto' } });

/** GetBucketLocation: no region of its own (an empty constraint, as S3 answers for us-east-1). */
export const bucketLocation = (): Response => xmlResponse(xmlDocument('LocationConstraint', {}));
