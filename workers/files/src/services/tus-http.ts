import { AppError } from '@onasis/http';
import { FILE_ID_HEADER, httpDate } from './tus-protocol.js';
import type { PatchOutcome } from './tus-session.js';

/** The headers of an answer about an upload's progress. */
export function progressHeaders(
  offset: number,
  expiresAt: string,
  fileId: string | null = null,
): Record<string, string> {
  const headers: Record<string, string> = { 'Upload-Offset': String(offset), 'Upload-Expires': httpDate(expiresAt) };
  if (fileId) headers[FILE_ID_HEADER] = fileId;
  return headers;
}

/**
 * The problem of a PATCH that stored nothing more than it could, carrying the offset the client must resume from: a
 * repeated PATCH (its first answer lost) and a stale offset both get 409 with the real one, as does a PATCH that
 * meets another in flight.
 */
export function patchProblem(outcome: Exclude<PatchOutcome, { kind: 'stored' | 'gone' | 'refused' }>): AppError {
  const headers = { 'Upload-Offset': String(outcome.offset) };
  switch (outcome.kind) {
    case 'busy':
      return new AppError('CONFLICT', 'Another PATCH of this upload is in progress.', { headers });
    case 'offset-mismatch':
      return new AppError('CONFLICT', `Upload-Offset must be ${outcome.offset}, the bytes stored so far.`, {
        headers,
      });
    case 'too-long':
      return new AppError('BAD_REQUEST', 'The body runs past Upload-Length; the bytes up to it were kept.', {
        headers,
      });
    case 'interrupted':
      return new AppError('BAD_REQUEST', 'The body broke off; HEAD tells where to resume.', { headers });
  }
}
