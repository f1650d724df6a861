import type { FileRow } from '../db/schema.js';

/** A file as the API answers it. */
export function toFileView(row: FileRow) {
  return {
    id: row.id,
    name: row.name,
    folder: row.folder,
    size: row.size,
    contentType: row.contentType,
    sha256: row.sha256,
    status: row.status,
    ownerId: row.ownerId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    trashedAt: row.trashedAt,
  };
}

/** The view's type. */
export type FileView = ReturnType<typeof toFileView>;
