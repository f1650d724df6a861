import { AppError } from '@onasis/http';
import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { type BlobRow, blobs, type FileRow } from '../db/schema.js';
import { type ByteRange, openBlob } from './blob-read.js';
import { contentRange, parseRange } from './byte-ranges.js';
import { contentDisposition, inlineSafe } from './content-disposition.js';
import { serveVariant, type VariantSpec, wantsVariant } from './image-variants.js';

/** How one content answer is shaped: what the route decided, beside what the request asks. */
export interface ServeOptions {
  /** Asked as an attachment (`?download=true`, a signed URL's `download=1`). */
  download: boolean;
  /** The answer's `Cache-Control`: a token-authenticated read must revalidate, a signed URL lives until it expires. */
  cacheControl: string;
  /** An image variant asked for in the query. */
  variant?: VariantSpec;
}

/** Cache-Control of content read with a token: every use revalidates, so a revoked share stops at once. */
export const PRIVATE_REVALIDATE = 'private, max-age=0, must-revalidate';

// Whatever a stored file holds, a browser never sniffs it, never runs it in our origin, and never frames it.
const SAFETY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': 'sandbox',
};

async function blobOf(env: FilesEnv, file: FileRow): Promise<BlobRow> {
  const blob = await dbOf(env.DB).select().from(blobs).where(eq(blobs.id, file.blobId)).get();
  if (!blob) throw new Error(`file ${file.id} points at missing blob ${file.blobId}`);
  return blob;
}

// RFC 9110 §13.1.2: If-None-Match compares weakly, so `W/"x"` matches `"x"`.
function noneMatch(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

// RFC 9110 §13.1.5: If-Range needs a strong validator; a date counts only when it equals Last-Modified exactly.
function rangeStillValid(header: string | null, etag: string, lastModified: string): boolean {
  if (header === null) return true;
  const value = header.trim();
  return value.startsWith('"') ? value === etag : value === lastModified;
}

function notModified(request: Request, etag: string, updatedAt: string): boolean {
  const inm = request.headers.get('if-none-match');
  if (inm !== null) return noneMatch(inm, etag);
  const ims = Date.parse(request.headers.get('if-modified-since') ?? '');
  return !Number.isNaN(ims) && Math.floor(Date.parse(updatedAt) / 1000) * 1000 <= ims;
}

/**
 * The content of `file` as an HTTP answer: 200 whole, 206 one range, 304 when the client's copy is current, 416
 * (with a `Content-Range` naming the size) for a range past the end. Script-capable types are always attachments.
 */
export async function serveContent(
  env: FilesEnv,
  ctx: ExecutionContext,
  request: Request,
  file: FileRow,
  options: ServeOptions,
): Promise<Response> {
  const blob = await blobOf(env, file);
  if (options.variant && wantsVariant(options.variant)) {
    const variant = await serveVariant(env, ctx, file, blob, options.variant, request.headers.get('accept'));
    const answer = new Response(variant.body, variant);
    for (const [name, value] of Object.entries(SAFETY_HEADERS)) answer.headers.set(name, value);
    // The route's caching rule holds for variants too: a revoked share must not keep reading a cached thumbnail.
    answer.headers.set('cache-control', options.cacheControl);
    return answer;
  }
  const etag = `"${file.sha256}"`;
  const lastModified = new Date(file.updatedAt).toUTCString();
  const headers = new Headers({
    ...SAFETY_HEADERS,
    etag,
    'last-modified': lastModified,
    'cache-control': options.cacheControl,
    'accept-ranges': 'bytes',
  });
  if (notModified(request, etag, file.updatedAt)) return new Response(null, { status: 304, headers });

  const size = blob.size;
  const ask = rangeStillValid(request.headers.get('if-range'), etag, lastModified)
    ? parseRange(request.headers.get('range'), size)
    : ({ kind: 'whole' } as const);
  if (ask.kind === 'unsatisfiable') {
    throw new AppError('RANGE_NOT_SATISFIABLE', `The file has ${size} bytes.`, {
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  headers.set('content-type', file.contentType);
  headers.set('content-disposition', contentDisposition(file.name, options.download || !inlineSafe(file.contentType)));
  if (request.method === 'HEAD') {
    headers.set('content-length', String(size));
    return new Response(null, { status: 200, headers });
  }
  if (ask.kind === 'range') {
    headers.set('content-range', contentRange(ask.range, size));
    headers.set('content-length', String(ask.range.end - ask.range.start + 1));
    return new Response(await sized(env, ctx, blob, ask.range), { status: 206, headers });
  }
  headers.set('content-length', String(size));
  return new Response(await sized(env, ctx, blob, { start: 0, end: size - 1 }), { status: 200, headers });
}

// A decompressed stream has no length of its own; stating it keeps Content-Length on the wire instead of chunking.
async function sized(env: FilesEnv, ctx: ExecutionContext, blob: BlobRow, range: ByteRange) {
  const whole = range.start === 0 && range.end === blob.size - 1;
  const stream = await openBlob(env, ctx, blob, whole ? undefined : range);
  if (blob.encoding === 'identity' || range.end < range.start) return stream;
  return stream.pipeThrough(new FixedLengthStream(range.end - range.start + 1));
}
