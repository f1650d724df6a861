import { AppError } from '@onasis/http';

/** Longest file name, in UTF-8 bytes (the common file-system limit). */
export const MAX_NAME_BYTES = 255;
/** Longest folder path, in UTF-8 bytes; folder plus name stays under S3's 1,024-byte key limit. */
export const MAX_FOLDER_BYTES = 760;
const MAX_FOLDER_DEPTH = 32;

// C0 and C1 controls, DEL, and the bidirectional overrides that make `evil‮gpj.exe` read as `evilexe.jpg`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const utf8Length = (s: string) => new TextEncoder().encode(s).length;

function invalid(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, { errors: [{ path, message }] });
}

/**
 * A file name as stored: NFC, trimmed. Refused (400, nothing stored) when empty, `.` or `..`, over 255 bytes, or
 * holding a path separator or a control character: a name is never a path.
 */
export function normaliseName(raw: string, path = 'name'): string {
  const name = raw.normalize('NFC').trim();
  if (name === '' || name === '.' || name === '..') throw invalid(path, 'A file name must not be empty, "." or "..".');
  if (/[/\\]/.test(name)) throw invalid(path, 'A file name must not contain "/" or "\\".');
  if (FORBIDDEN.test(name)) throw invalid(path, 'A file name must not contain control characters.');
  if (utf8Length(name) > MAX_NAME_BYTES) throw invalid(path, `A file name must be at most ${MAX_NAME_BYTES} bytes.`);
  return name;
}

/**
 * A folder path as stored: segments joined by `/`, without leading or trailing slash (`''` is the root). Each
 * segment follows the rules of a name; empty segments (`a//b`) are refused rather than collapsed.
 */
export function normaliseFolder(raw: string | undefined | null, path = 'folder'): string {
  if (raw === undefined || raw === null) return '';
  const trimmed = raw
    .normalize('NFC')
    .trim()
    .replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return '';
  const segments = trimmed.split('/');
  if (segments.length > MAX_FOLDER_DEPTH)
    throw invalid(path, `A folder may be at most ${MAX_FOLDER_DEPTH} levels deep.`);
  const folder = segments.map((s) => normaliseName(s, path)).join('/');
  if (utf8Length(folder) > MAX_FOLDER_BYTES)
    throw invalid(path, `A folder path must be at most ${MAX_FOLDER_BYTES} bytes.`);
  return folder;
}

/** The S3 object key of a file: its folder and name. */
export const objectKeyOf = (folder: string, name: string) => (folder === '' ? name : `${folder}/${name}`);

/** Folder and name of an S3 object key (the last segment is the name). */
export function splitObjectKey(key: string): { folder: string; name: string } {
  const at = key.lastIndexOf('/');
  return at < 0
    ? { folder: '', name: normaliseName(key, 'key') }
    : { folder: normaliseFolder(key.slice(0, at), 'key'), name: normaliseName(key.slice(at + 1), 'key') };
}
