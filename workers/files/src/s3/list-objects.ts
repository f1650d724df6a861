import { and, eq, gt, gte, sql } from 'drizzle-orm';
import { files } from '../db/schema.js';
import type { S3Call } from './context.js';
import { etagOf, xmlDate } from './context.js';
import { S3Error } from './errors.js';
import { BUCKET, keyColumn } from './object-key.js';
import { uriEncode } from './sigv4.js';
import { type XmlNode, xmlDocument, xmlResponse } from './xml.js';

const MAX_KEYS = 1000;
const BATCH = 1000;

type Position = { after: string } | { from: string };
type Entry = { key: string; size: number; sha256: string; updatedAt: string } | { prefix: string };

const encodeToken = (p: Position) => btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(p))));

function decodeToken(token: string): Position {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(token), (c) => c.charCodeAt(0))));
    if (typeof value === 'object' && value !== null) {
      const v = value as Record<string, unknown>;
      if (typeof v.after === 'string') return { after: v.after };
      if (typeof v.from === 'string') return { from: v.from };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect.');
}

/** The first string after every string that starts with `prefix`: its last code point plus one. */
function pastPrefix(prefix: string): string | null {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff) return null;
  const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
  return points.join('') + String.fromCodePoint(next);
}

function maxKeysOf(raw: string | null): number {
  if (raw === null) return MAX_KEYS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n))
    throw new S3Error('InvalidArgument', 'max-keys must be a non-negative integer.');
  return Math.min(n, MAX_KEYS);
}

/**
 * ListObjectsV2: the caller's live files in key order (UTF-8 bytes, as S3), from `start-after` or a continuation
 * token, filtered by `prefix`, with keys that hold `delimiter` after the prefix rolled up into `CommonPrefixes`. Rows
 * are read in batches; once a batch ends inside a common prefix, the next one starts past it, so a folder of many
 * files costs one query, not one per file.
 */
export async function listObjectsV2(call: S3Call): Promise<Response> {
  const q = call.url.searchParams;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = maxKeysOf(q.get('max-keys'));
  const token = q.get('continuation-token');
  const startAfter = q.get('start-after');
  const urlEncoded = q.get('encoding-type') === 'url';
  if (q.has('encoding-type') && !urlEncoded) throw new S3Error('InvalidArgument', 'encoding-type must be "url".');
  let position: Position | null = token !== null ? decodeToken(token) : startAfter ? { after: startAfter } : null;
  const entries: Entry[] = [];
  let lastPrefix: string | null = null;
  const prefixLength = [...prefix].length;
  while (maxKeys > 0 && entries.length <= maxKeys) {
    const rows = await call.db
      .select({ key: keyColumn, size: files.size, sha256: files.sha256, updatedAt: files.updatedAt })
      .from(files)
      .where(
        and(
          eq(files.ownerId, call.caller.owner.userId),
          eq(files.status, 'ready'),
          prefix === '' ? undefined : sql`substr(${keyColumn}, 1, ${prefixLength}) = ${prefix}`,
          position === null
            ? undefined
            : 'after' in position
              ? gt(keyColumn, position.after)
              : gte(keyColumn, position.from),
        ),
      )
      .orderBy(keyColumn)
      .limit(BATCH)
      .all();
    for (const row of rows) {
      const at = delimiter === '' ? -1 : row.key.indexOf(delimiter, prefix.length);
      if (at >= 0) {
        const common = row.key.slice(0, at + delimiter.length);
        if (common !== lastPrefix) entries.push({ prefix: common });
        lastPrefix = common;
      } else {
        entries.push(row);
      }
      if (entries.length > maxKeys) break;
    }
    const last = rows[rows.length - 1];
    if (rows.length < BATCH || last === undefined) break;
    const past = lastPrefix !== null && last.key.startsWith(lastPrefix) ? pastPrefix(lastPrefix) : null;
    position = past === null ? { after: last.key } : { from: past };
  }
  const shown = entries.slice(0, maxKeys);
  const truncated = entries.length > maxKeys && maxKeys > 0;
  const lastShown = shown[shown.length - 1];
  let next: string | undefined;
  if (truncated && lastShown) {
    const past = 'prefix' in lastShown ? pastPrefix(lastShown.prefix) : null;
    next = encodeToken(
      past !== null ? { from: past } : { after: 'key' in lastShown ? lastShown.key : lastShown.prefix },
    );
  }
  const show = (text: string) => (urlEncoded ? uriEncode(text, true) : text);
  const contents: XmlNode[] = [];
  const prefixes: XmlNode[] = [];
  for (const entry of shown) {
    if ('prefix' in entry) prefixes.push({ Prefix: show(entry.prefix) });
    else
      contents.push({
        Key: show(entry.key),
        LastModified: xmlDate(entry.updatedAt),
        ETag: etagOf(entry.sha256),
        Size: entry.size,
        StorageClass: 'STANDARD',
      });
  }
  const body = {
    Name: BUCKET,
    Prefix: show(prefix),
    ...(delimiter !== '' && { Delimiter: show(delimiter) }),
    MaxKeys: maxKeys,
    KeyCount: shown.length,
    IsTruncated: truncated,
    ...(token !== null && { ContinuationToken: token }),
    ...(next !== undefined && { NextContinuationToken: next }),
    ...(startAfter !== null && { StartAfter: show(startAfter) }),
    ...(urlEncoded && { EncodingType: 'url' }),
    Contents: contents,
    CommonPrefixes: prefixes,
  };
  return xmlResponse(xmlDocument('ListBucketResult', body));
}
