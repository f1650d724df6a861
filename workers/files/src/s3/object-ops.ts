import type { Principal } from '@onasis/contracts';
import { ingestFile } from '../services/ingest.js';
import { PRIVATE_REVALIDATE, serveContent } from '../services/serve-content.js';
import { trashFile } from '../services/trash-file.js';
import { etagOf, type S3Call } from './context.js';
import { S3Error } from './errors.js';
import { liveFileAt, type ObjectKey } from './object-key.js';
import { objectBody } from './payload.js';

/** The key's owner as the principal the shared file services check: the owner, acting on their own files. */
export const ownerPrincipal = (userId: string): Principal => ({
  userId,
  sessionId: null,
  permissions: [],
  via: 'api_key',
});

/**
 * PutObject: the body stored as the file at the key's folder and name, replacing a live file there (S3 overwrites).
 * It goes through the same ingest as every upload: quota, sniffing, dedupe. A body whose signed hash or aws-chunked
 * framing turns out wrong errors the stream before ingest settles, so nothing is kept. Retried or duplicated, the
 * same bytes end as the same file (ingest answers the file it already stored); interrupted, nothing is kept.
 */
export async function putObject(call: S3Call, key: ObjectKey): Promise<Response> {
  if (call.request.headers.has('x-amz-copy-source'))
    throw new S3Error('NotImplemented', 'CopyObject is not supported; download and upload the object instead.');
  const payload = objectBody(call.request, call.caller);
  try {
    const file = await ingestFile(call.env, call.ctx, {
      owner: call.caller.owner,
      name: key.name,
      folder: key.folder,
      declaredType: call.request.headers.get('content-type'),
      declaredSize: payload.size,
      body: payload.body,
      replace: true,
    });
    return new Response(null, { status: 200, headers: { etag: etagOf(file.sha256) } });
  } catch (err) {
    throw payload.failure() ?? err;
  }
}

/** GetObject and HeadObject: the content as the JSON API serves it (Range, ETag, If-None-Match, safe disposition). */
export async function getObject(call: S3Call, key: ObjectKey): Promise<Response> {
  const file = await liveFileAt(call.db, call.caller.owner.userId, key);
  if (!file) throw new S3Error('NoSuchKey', 'The specified key does not exist.');
  const ifMatch = call.request.headers.get('if-match');
  if (ifMatch !== null && ifMatch.trim() !== '*' && !ifMatch.split(',').some((t) => t.trim() === etagOf(file.sha256)))
    throw new S3Error('PreconditionFailed', 'At least one of the preconditions you specified did not hold.');
  return serveContent(call.env, call.ctx, call.request, file, { download: false, cacheControl: PRIVATE_REVALIDATE });
}

/**
 * DeleteObject: the live file at the key goes to the trash, restorable as from the API's DELETE. A key with no live
 * file answers 204 too, as S3 does, so a retry or a duplicate answers the same.
 */
export async function deleteObject(call: S3Call, key: ObjectKey): Promise<Response> {
  const file = await liveFileAt(call.db, call.caller.owner.userId, key);
  if (file) await trashFile(call.db, ownerPrincipal(call.caller.owner.userId), file.id);
  return new Response(null, { status: 204 });
}
