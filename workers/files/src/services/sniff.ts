import { AppError } from '@onasis/http';
import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';

/** Bytes of a body's start that the type check reads (what file-type needs for nearly every format). */
export const SNIFF_BYTES = 4100;

/** What the content check decided. */
export interface CheckedContent {
  /** The type stored with the file: the sniffed one, else the declared one, else `application/octet-stream`. */
  contentType: string;
  /** The type the first bytes show, or null when they show none (text, unknown formats). */
  sniffedType: string | null;
}

const OCTET_STREAM = 'application/octet-stream';

// Spellings of one type that clients send interchangeably; each maps to file-type's spelling.
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/mp3': 'audio/mpeg',
  'application/x-gzip': 'application/gzip',
  'application/x-zip-compressed': 'application/zip',
  'application/x-pdf': 'application/pdf',
};

// Formats that are zip archives inside: a client may declare either the archive or the format.
const ZIP_FAMILY =
  /^application\/(zip|java-archive|epub\+zip|vnd\.openxmlformats-officedocument\..+|vnd\.oasis\.opendocument\..+|vnd\.android\.package-archive|x-xpinstall|vnd\.ms-package\.3dmanufacturing-3dmodel\+xml)$/;

// Declared types file-type knows but that may be plain text without a signature (an XML file without `<?xml`).
const TEXTUAL = /^(text\/|application\/(xml|json)$)|\+xml$|\+json$/;

/** A declared `Content-Type` as stored: lower-cased, parameters dropped, aliases resolved; null when absent or not a type. */
export function normaliseType(raw: string | null | undefined): string | null {
  const type = raw?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type)) return null;
  return ALIASES[type] ?? type;
}

const listOf = (raw: string | undefined) =>
  new Set(
    (raw ?? '')
      .split(',')
      .map((t) => normaliseType(t))
      .filter((t): t is string => t !== null),
  );

/** Whether a type is refused: listed in FILES_DENIED_TYPES and not let through by FILES_ALLOWED_TYPES. */
export function isRefusedType(
  env: Pick<FilesEnv, 'FILES_DENIED_TYPES' | 'FILES_ALLOWED_TYPES'>,
  type: string,
): boolean {
  return listOf(env.FILES_DENIED_TYPES).has(type) && !listOf(env.FILES_ALLOWED_TYPES).has(type);
}

function contradicts(declared: string, sniffed: string | null): boolean {
  if (declared === OCTET_STREAM || declared === sniffed) return false;
  if (sniffed === null) return supportedMimeTypes.has(declared) && !TEXTUAL.test(declared);
  if (ZIP_FAMILY.test(declared) && ZIP_FAMILY.test(sniffed)) return false;
  return true;
}

/**
 * Decides a body's type from its first bytes (`head`, up to SNIFF_BYTES) and the client's `declaredType`: 415
 * `CONTENT_TYPE_MISMATCH` when the content is not what was declared (a declared type that has a signature the
 * content lacks, or content with another signature; `application/octet-stream` or no type accepts anything), 415
 * `FILE_TYPE_REFUSED` when the sniffed or declared type is denied (executables by default). Exported for tus, which
 * checks the first chunk before it stores the rest.
 */
export async function checkContent(
  env: Pick<FilesEnv, 'FILES_DENIED_TYPES' | 'FILES_ALLOWED_TYPES'>,
  head: Uint8Array,
  declaredType: string | null | undefined,
): Promise<CheckedContent> {
  const declared = normaliseType(declaredType);
  const sniffed = head.byteLength === 0 ? undefined : await fileTypeFromBuffer(head).catch(() => undefined);
  const sniffedType = sniffed ? (ALIASES[sniffed.mime] ?? sniffed.mime) : null;
  for (const type of [sniffedType, declared]) {
    if (type !== null && isRefusedType(env, type)) {
      throw new AppError('FILE_TYPE_REFUSED', `Files of type ${type} are not accepted.`);
    }
  }
  if (declared !== null && contradicts(declared, sniffedType)) {
    throw new AppError(
      'CONTENT_TYPE_MISMATCH',
      sniffedType === null
        ? `The content is not ${declared}.`
        : `The content is ${sniffedType}, not the declared ${declared}.`,
    );
  }
  return { contentType: sniffedType ?? declared ?? OCTET_STREAM, sniffedType };
}
