import { z } from '@hono/zod-openapi';
import type { BlobRow, FileRow } from '../db/schema.js';

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

/**
 * The variant of an image file (400 NOT_AN_IMAGE otherwise), computed once through the Images binding and kept in R2
 * under `variants/<blobId>/…`; `accept` picks the format for `auto`. Not built yet.
 */
export async function serveVariant(
  env: FilesEnv,
  ctx: ExecutionContext,
  file: FileRow,
  blob: BlobRow,
  spec: VariantSpec,
  accept: string | null,
): Promise<Response> {
  void env;
  void ctx;
  void file;
  void blob;
  void spec;
  void accept;
  throw new Error('serveVariant: not built yet');
}
