import { createLogger } from '@onasis/http';
import type { BlobRow, FileRow } from '../db/schema.js';
import { isImageBlob, serveVariant, type VariantSpec } from './image-variants.js';

const log = createLogger({ service: 'files' });

/** The thumbnail every image upload gets ahead of its first view: 256×256, cropped to cover, WebP. */
export const THUMBNAIL: VariantSpec = { w: 256, h: 256, fit: 'cover', format: 'webp' };

/**
 * Computes the thumbnail of a freshly uploaded image after the upload has answered (`ctx.waitUntil`), so that
 * `?w=256&h=256&fit=cover&format=webp` is a hit from the first request. It is the same variant a request would
 * compute, under the same key: a duplicate upload or a request racing it writes the same bytes. A failure (a corrupt
 * image that sniffed as one) is logged and costs nothing but the later request computing it, or answering 400.
 */
export function warmThumbnail(env: FilesEnv, ctx: ExecutionContext, file: FileRow, blob: BlobRow): void {
  if (!isImageBlob(blob)) return;
  const warm = serveVariant(env, ctx, file, blob, THUMBNAIL, null)
    .then((res) => res.body?.cancel())
    .catch((err: unknown) =>
      log.warn('thumbnail not computed', { fileId: file.id, blobId: blob.id, error: String(err) }),
    );
  ctx.waitUntil(warm);
}
