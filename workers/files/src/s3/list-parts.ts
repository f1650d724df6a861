import type { S3Call } from './context.js';
import { xmlDate } from './context.js';
import { S3Error } from './errors.js';
import { MAX_PART_NUMBER, storedParts, uploadOf } from './multipart-parts.js';
import { BUCKET, type ObjectKey } from './object-key.js';
import { xmlDocument, xmlResponse } from './xml.js';

function intParam(raw: string | null, fallback: number, name: string): number {
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw)) throw new S3Error('InvalidArgument', `${name} must be a non-negative integer.`);
  return Number(raw);
}

/** ListParts: the parts stored so far, by part number, after `part-number-marker`, at most `max-parts` (1,000). */
export async function listParts(call: S3Call, key: ObjectKey): Promise<Response> {
  const q = call.url.searchParams;
  const uploadId = q.get('uploadId') ?? '';
  await uploadOf(call.db, call.caller.owner.userId, uploadId, key);
  const marker = intParam(q.get('part-number-marker'), 0, 'part-number-marker');
  const maxParts = Math.min(intParam(q.get('max-parts'), 1000, 'max-parts'), 1000);
  const after = (await storedParts(call.env.FILES_BUCKET, uploadId)).filter((p) => p.partNumber > marker);
  const shown = after.slice(0, maxParts);
  const truncated = after.length > shown.length;
  const last = shown[shown.length - 1];
  const xml = xmlDocument('ListPartsResult', {
    Bucket: BUCKET,
    Key: key.key,
    UploadId: uploadId,
    PartNumberMarker: marker,
    ...(last && { NextPartNumberMarker: Math.min(last.partNumber, MAX_PART_NUMBER) }),
    MaxParts: maxParts,
    IsTruncated: truncated,
    StorageClass: 'STANDARD',
    Part: shown.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: xmlDate(p.uploaded.toISOString()),
      ETag: `"${p.etag}"`,
      Size: p.size,
    })),
  });
  return xmlResponse(xml);
}
