import { z } from '@hono/zod-openapi';
import { AppError, createLogger } from '@onasis/http';
import type { BlobRow, FileRow } from '../db/schema.js';
import { openBlob } from './blob-read.js';

/** The image query of `GET /api/v1/files/{id}/content`: any of these asks for a variant. */
export const VariantQuery = z.object({
  w: z.coerce.number().int().min(1).max(2500).optional(),
  h: z.coerce.number().int().min(1).max(2500).optional(),
  fit: z.enum(['scale-down', 'contain', 'cover', 'crop', 'pad']).optional(),
  format: z.enum(['auto', 'webp', 'avif', 'jpeg', 'png']).optional(),
});

/** A requested variant. */
export type VariantSpec = z.infer<typeof VariantQuery>;

/** Whether the query asks for a variant at all. */
export const wantsVariant = (q: VariantSpec) =>
  q.w !== undefined || q.h !== undefined || q.fit !== undefined || q.format !== undefined;

const log = createLogger({ service: 'files' });

type OutputFormat = 'webp' | 'avif' | 'jpeg' | 'png';

// The types the Images binding reads, by the type the first bytes showed. A GIF's variant is a PNG: GIF output is
// not available everywhere (the local emulation refuses it) and a resized still frame needs no palette.
const IMAGE_TYPES: Record<string, OutputFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
  'image/gif': 'png',
  'image/avif': 'avif',
};

/** Whether a blob holds an image the Images binding can transform (by its sniffed type, never a client's header). */
export const isImageBlob = (blob: Pick<BlobRow, 'sniffedType'>) =>
  blob.sniffedType !== null && blob.sniffedType in IMAGE_TYPES;

/** Whether an `Accept` header takes `type` (with a non-zero q). */
function accepts(accept: string | null, type: string): boolean {
  return (accept ?? '').split(',').some((range) => {
    const [media, ...params] = range.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return media === type && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The output format: the one asked for, or for `auto` the smallest the client takes, else the original's. */
function formatOf(spec: VariantSpec, original: OutputFormat, accept: string | null): OutputFormat {
  if (spec.format !== 'auto') return spec.format ?? original;
  if (accepts(accept, 'image/avif')) return 'avif';
  if (accepts(accept, 'image/webp')) return 'webp';
  return original;
}

/** The R2 key of a variant: one object per blob, size, fit and format (0 for a side left to the aspect ratio). */
export const variantKey = (blobId: string, spec: { w?: number; h?: number; fit?: string }, format: OutputFormat) =>
  `variants/${blobId}/w${spec.w ?? 0}-h${spec.h ?? 0}-${spec.fit ?? 'scale-down'}.${format}`;

async function etagOf(blob: BlobRow, key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${blob.sha256}:${key}`));
  const hex = [...new Uint8Array(digest).subarray(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex}"`;
}

const notAnImage = () => new AppError('NOT_AN_IMAGE', 'The file is not an image this service can transform.');

/** Runs the transform; any failure of the binding (a corrupt or truncated image) is the caller's 400. */
async function transform(env: FilesEnv, source: ReadableStream<Uint8Array>, spec: VariantSpec, format: OutputFormat) {
  try {
    const result = await env.IMAGES.input(source)
      .transform({ width: spec.w, height: spec.h, fit: spec.fit ?? 'scale-down' })
      .output({ format: `image/${format}` });
    return await new Response(result.image()).arrayBuffer();
  } catch {
    throw notAnImage();
  }
}

/**
 * The variant of an image file (400 NOT_AN_IMAGE otherwise), computed once through the Images binding and kept in R2
 * under `variants/<blobId>/…`; `accept` picks the format for `auto`. A variant depends only on the blob's bytes and
 * the spec, so concurrent misses compute the same bytes and whichever put lands last wins; a put that fails after the
 * transform still answers the image and the next request computes it again.
 */
export async function serveVariant(
  env: FilesEnv,
  ctx: ExecutionContext,
  file: FileRow,
  blob: BlobRow,
  spec: VariantSpec,
  accept: string | null,
): Promise<Response> {
  const original = blob.sniffedType ? IMAGE_TYPES[blob.sniffedType] : undefined;
  if (!original) throw notAnImage();
  const format = formatOf(spec, original, accept);
  const key = variantKey(blob.id, spec, format);
  const headers = new Headers({
    'content-type': `image/${format}`,
    etag: await etagOf(blob, key),
    'cache-control': 'private, max-age=86400',
    'x-content-type-options': 'nosniff',
  });
  if (spec.format === 'auto') headers.set('vary', 'Accept');
  const stored = await env.FILES_BUCKET.get(key);
  if (stored) return new Response(stored.body, { headers });
  const bytes = await transform(env, await openBlob(env, ctx, blob), spec, format);
  try {
    await env.FILES_BUCKET.put(key, bytes, { httpMetadata: { contentType: `image/${format}` } });
  } catch (err) {
    log.warn('variant not stored', { fileId: file.id, blobId: blob.id, key, error: String(err) });
  }
  return new Response(bytes, { headers });
}
