import { and, eq, inArray } from 'drizzle-orm';
import { files } from '../db/schema.js';
import { trashFile } from '../services/trash-file.js';
import type { S3Call } from './context.js';
import { S3Error } from './errors.js';
import { keyColumn, objectKeyFrom } from './object-key.js';
import { ownerPrincipal } from './object-ops.js';
import { objectBody } from './payload.js';
import { unescapeXml, type XmlNode, xmlDocument, xmlResponse } from './xml.js';
import { readXmlBody } from './xml-body.js';

const MAX_OBJECTS = 1000;
// D1 binds at most 100 parameters a statement; the owner and the status take two.
const KEYS_PER_QUERY = 90;

const malformed = () =>
  new S3Error(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema.',
  );

/** The keys and `Quiet` flag of a DeleteObjects document. */
export function requestedDeletes(xml: string): { keys: string[]; quiet: boolean } {
  const root = /<Delete\b[^>]*>([\s\S]*)<\/Delete>/.exec(xml);
  if (!root?.[1]) throw malformed();
  const keys = [...root[1].matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) => {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1] ?? '')?.[1];
    if (key === undefined) throw malformed();
    return unescapeXml(key);
  });
  if (keys.length === 0 || keys.length > MAX_OBJECTS) throw malformed();
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(root[1]) };
}

/**
 * DeleteObjects (`POST /s3/files?delete`): each listed key's live file to the trash, as DeleteObject does; a key with
 * no live file counts as deleted, as on S3, so a retry answers the same. A key that is not a file path is reported
 * in the answer's `Error` list without stopping the others.
 */
export async function deleteObjects(call: S3Call): Promise<Response> {
  const payload = objectBody(call.request, call.caller);
  const xml = await readXmlBody(payload.body).catch((err: unknown) => {
    throw payload.failure() ?? err;
  });
  const { keys, quiet } = requestedDeletes(xml);
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  const valid: string[] = [];
  for (const key of keys) {
    try {
      valid.push(objectKeyFrom(key).key);
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      errors.push({ Key: key, Code: err.code, Message: err.message });
    }
  }
  const ownerId = call.caller.owner.userId;
  for (let i = 0; i < valid.length; i += KEYS_PER_QUERY) {
    const batch = valid.slice(i, i + KEYS_PER_QUERY);
    const live = await call.db
      .select({ id: files.id })
      .from(files)
      .where(and(eq(files.ownerId, ownerId), eq(files.status, 'ready'), inArray(keyColumn, batch)))
      .all();
    for (const file of live) await trashFile(call.db, ownerPrincipal(ownerId), file.id);
    if (!quiet) deleted.push(...batch.map((Key) => ({ Key })));
  }
  return xmlResponse(xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }));
}
