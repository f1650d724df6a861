import { AppError } from '@onasis/http';
import { normaliseFolder, normaliseName } from './names.js';

/** The one tus version spoken here. */
export const TUS_VERSION = '1.0.0';
/** Extensions offered on `OPTIONS` (`Upload-Defer-Length` is not: every upload declares its length). */
export const TUS_EXTENSIONS = 'creation,creation-with-upload,termination,expiration';
/** The media type of every body that carries upload bytes. */
export const OFFSET_OCTET_STREAM = 'application/offset+octet-stream';
/** Response header naming the file a finished upload became. */
export const FILE_ID_HEADER = 'Onasis-File-Id';

/** What `Upload-Metadata` says about the file to be. */
export interface UploadMetadata {
  name: string;
  folder: string;
  filetype: string | null;
}

const invalid = (path: string, message: string) =>
  new AppError('VALIDATION_FAILED', message, { errors: [{ path, message }] });

function decodeBase64(value: string, key: string): string {
  try {
    const binary = atob(value);
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(
      Uint8Array.from(binary, (ch) => ch.charCodeAt(0)),
    );
  } catch {
    throw invalid(`headers.upload-metadata.${key}`, `The value of "${key}" is not base64 of UTF-8 text.`);
  }
}

/**
 * `Upload-Metadata` (`key base64value,key base64value`) as a file's name, folder and declared type; a missing
 * `filename`, a malformed pair or a name `normaliseName`/`normaliseFolder` refuses is a 400 before anything is stored.
 */
export function parseMetadata(header: string | undefined): UploadMetadata {
  const pairs = new Map<string, string>();
  for (const pair of (header ?? '').split(',')) {
    const trimmed = pair.trim();
    if (trimmed === '') continue;
    const [key, value, extra] = trimmed.split(' ');
    if (key === undefined || extra !== undefined || pairs.has(key)) {
      throw invalid('headers.upload-metadata', 'Upload-Metadata must be distinct "key base64value" pairs.');
    }
    pairs.set(key, value === undefined ? '' : decodeBase64(value, key));
  }
  const filename = pairs.get('filename');
  if (filename === undefined) throw invalid('headers.upload-metadata.filename', 'Upload-Metadata needs a filename.');
  const filetype = pairs.get('filetype')?.trim() || null;
  return {
    name: normaliseName(filename, 'headers.upload-metadata.filename'),
    folder: normaliseFolder(pairs.get('folder'), 'headers.upload-metadata.folder'),
    filetype,
  };
}

/** A non-negative integer header (`Upload-Length`, `Upload-Offset`), or a 400 naming it. */
export function byteCount(value: string | undefined, name: string): number {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) {
    throw invalid(`headers.${name.toLowerCase()}`, `${name} must be a non-negative integer.`);
  }
  return Number(value.trim());
}

/** Whether a request's `Content-Type` says its body is upload bytes. */
export const carriesBytes = (contentType: string | undefined) =>
  (contentType ?? '').split(';')[0]?.trim().toLowerCase() === OFFSET_OCTET_STREAM;

/** An instant as an HTTP date (RFC 9110 IMF-fixdate), as `Upload-Expires` wants it. */
export const httpDate = (iso: string) => new Date(iso).toUTCString();
