import { AppError } from '@onasis/http';
import type { UploadRow } from '../db/schema.js';
import { abortUpload } from './tus-abort.js';
import { finishUpload } from './tus-finish.js';
import { patchProblem } from './tus-http.js';
import { uploadNotFound } from './tus-lookup.js';
import { sessionOf } from './tus-session.js';

/** Where an upload stands after a write: the offset, the file once finished, and what went wrong if anything did. */
export interface WriteResult {
  offset: number;
  fileId: string | null;
  problem: AppError | null;
}

/**
 * Appends `body` at `offset` (none: only looks), and once every byte is stored turns the upload into its file. Also
 * the recovery path: a HEAD after an interrupted finish (all bytes stored, no file yet) finishes it, so a client that
 * resumes at the full length still gets its file. A PATCH refused as busy leaves the finish to the one in flight;
 * content refused by its first bytes aborts the upload.
 */
export async function writeAt(
  env: FilesEnv,
  ctx: ExecutionContext,
  row: UploadRow,
  offset: number,
  body: ReadableStream<Uint8Array> | null,
): Promise<WriteResult> {
  if (row.status === 'completed') return { offset: row.length ?? 0, fileId: row.fileId, problem: null };
  const session = sessionOf(env, row.id);
  let stored: number;
  let problem: AppError | null = null;
  if (body === null) {
    const view = await session.view();
    if (!view || view.status === 'aborted') throw uploadNotFound(row.id);
    stored = view.offset;
  } else {
    const outcome = await session.patch(offset, body);
    if (outcome.kind === 'gone') throw uploadNotFound(row.id);
    if (outcome.kind === 'refused') {
      await abortUpload(env, row.id);
      throw new AppError(outcome.code, outcome.detail);
    }
    stored = outcome.offset;
    if (outcome.kind !== 'stored') problem = patchProblem(outcome);
    if (outcome.kind === 'busy') return { offset: stored, fileId: null, problem };
  }
  const fileId = stored === row.length ? await finishUpload(env, ctx, row) : null;
  return { offset: stored, fileId, problem };
}
