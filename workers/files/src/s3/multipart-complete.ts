import { and, eq } from 'drizzle-orm';
import { s3MultipartUploads } from '../db/schema.js';
import { ingestFile } from '../services/ingest.js';
import { etagOf, type S3Call } from './context.js';
import { S3Error } from './errors.js';
import { concatenatedParts, deleteParts, MIN_PART_BYTES, storedParts, uploadOf } from './multipart-parts.js';
import type { ObjectKey } from './object-key.js';
import { BUCKET } from './object-key.js';
import { objectBody } from './payload.js';
import { unescapeXml, xmlDocument, xmlResponse } from './xml.js';
import { readXmlBody } from './xml-body.js';

const malformed = () =>
  new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );

/** The `(PartNumber, ETag)` list of a CompleteMultipartUpload document, in the order given. */
export function requestedParts(xml: string): { partNumber: number; etag: string }[] {
  const root = /<CompleteMultipartUpload\b[^>]*>([\s\S]*)<\/CompleteMultipartUpload>/.exec(xml);
  if (!root?.[1]) throw malformed();
  const parts = [...root[1].matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => {
    const inner = m[1] ?? '';
    const number = /<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(inner)?.[1];
    const etag = /<ETag>([\s\S]*?)<\/ETag>/.exec(inner)?.[1];
    if (number === undefined || etag === undefined) throw malformed();
    return { partNumber: Number(number), etag: unescapeXml(etag).trim().replace(/^"|"$/g, '').toLowerCase() };
  });
  if (parts.length === 0) throw malformed();
  return parts;
}

/**
 * CompleteMultipartUpload: the listed parts, in ascending order with the ETags UploadPart answered, streamed one after
 * the other into ingest as one file (replacing a live file at the key), then the row and the part objects deleted.
 * Interrupted after ingest, a retry stores the same bytes again, which ingest answers with the file it already has;
 * once the row is gone, a retry is `NoSuchUpload`. Two concurrent completions end as one file for the same reason.
 */
export async function completeMultipartUpload(call: S3Call, key: ObjectKey): Promise<Response> {
  const uploadId = call.url.searchParams.get('uploadId') ?? '';
  const ownerId = call.caller.owner.userId;
  const upload = await uploadOf(call.db, ownerId, uploadId, key);
  const payload = objectBody(call.request, call.caller);
  const xml = await readXmlBody(payload.body).catch((err: unknown) => {
    throw payload.failure() ?? err;
  });
  const wanted = requestedParts(xml);
  for (let i = 1; i < wanted.length; i++) {
    if ((wanted[i]?.partNumber ?? 0) <= (wanted[i - 1]?.partNumber ?? 0))
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.');
  }
  const stored = new Map((await storedParts(call.env.FILES_BUCKET, uploadId)).map((p) => [p.partNumber, p]));
  let size = 0;
  wanted.forEach(({ partNumber, etag }, i) => {
    const part = stored.get(partNumber);
    if (!part || part.etag.toLowerCase() !== etag)
      throw new S3Error(
        'InvalidPart',
        `Part ${partNumber} could not be found, or its ETag does not match the one UploadPart answered.`,
      );
    if (i < wanted.length - 1 && part.size < MIN_PART_BYTES)
      throw new S3Error('EntityTooSmall', `Part ${partNumber} is smaller than 5 MiB and is not the last part.`);
    size += part.size;
  });
  const file = await ingestFile(call.env, call.ctx, {
    owner: call.caller.owner,
    name: key.name,
    folder: key.folder,
    declaredType: upload.contentType,
    declaredSize: size,
    body: concatenatedParts(
      call.env.FILES_BUCKET,
      uploadId,
      wanted.map((p) => p.partNumber),
    ),
    replace: true,
  });
  await call.db
    .delete(s3MultipartUploads)
    .where(and(eq(s3MultipartUploads.id, uploadId), eq(s3MultipartUploads.ownerId, ownerId)));
  call.ctx.waitUntil(deleteParts(call.env.FILES_BUCKET, uploadId).catch(() => {}));
  const location = `${call.url.origin}/s3/${BUCKET}/${key.key.split('/').map(encodeURIComponent).join('/')}`;
  return xmlResponse(
    xmlDocument('CompleteMultipartUploadResult', {
      Location: location,
      Bucket: BUCKET,
      Key: key.key,
      ETag: etagOf(file.sha256),
    }),
  );
}
