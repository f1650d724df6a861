import { chunkReader } from './body-reader.js';
import { Buffered, malformed, partBody } from './form-data-buffer.js';

/** The first file of a `multipart/form-data` body, its bytes still streaming. */
export interface FilePart {
  /** The part's file name as sent (not yet normalised). */
  filename: string;
  /** The part's own `Content-Type`, if any. */
  contentType: string | null;
  /** Text fields that came before the file (e.g. `folder`). */
  fields: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

const MAX_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The boundary of a `multipart/form-data` content type, or null when it is not one. */
export function boundaryOf(contentType: string | null | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

function dispositionOf(headers: string): { name: string | null; filename: string | null; type: string | null } {
  let name: string | null = null;
  let filename: string | null = null;
  let extended: string | null = null;
  let type: string | null = null;
  for (const line of headers.split('\r\n')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') type = value;
    if (key !== 'content-disposition') continue;
    for (const m of value.matchAll(/;\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
      const param = m[1]?.toLowerCase();
      const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3]?.trim() ?? '');
      if (param === 'name') name = raw;
      if (param === 'filename') filename = raw;
      if (param === 'filename*') {
        const ext = /^utf-8''(.*)$/i.exec(raw);
        try {
          extended = ext?.[1] !== undefined ? decodeURIComponent(ext[1]) : null;
        } catch {
          throw malformed('The part has a filename* that is not percent-encoded UTF-8.');
        }
      }
    }
  }
  return { name, filename: extended ?? filename, type };
}

/**
 * The first file part of a `multipart/form-data` body, read as a stream: text fields before it are collected (at
 * most 32, each up to 64 KiB), the file's bytes stream out as they arrive and whatever follows it is never read.
 * 400 when the body is malformed or holds no file.
 */
export async function firstFilePart(body: ReadableStream<Uint8Array>, boundary: string): Promise<FilePart> {
  const input = new Buffered(chunkReader(body));
  const dash = encoder.encode(`--${boundary}`);
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  const fields: Record<string, string> = {};
  try {
    await input.until(dash, MAX_FIELD_BYTES, 'the preamble');
    for (let n = 0; n <= MAX_FIELDS; n++) {
      const after = decoder.decode(await input.take(2));
      if (after === '--') break;
      if (after !== '\r\n') throw malformed('A boundary is not followed by a line break.');
      const headers = decoder.decode(
        await input.until(encoder.encode('\r\n\r\n'), MAX_HEADER_BYTES, 'the part headers'),
      );
      const part = dispositionOf(headers);
      if (part.filename !== null) {
        return { filename: part.filename, contentType: part.type, fields, body: partBody(input, delimiter) };
      }
      const value = await input.until(delimiter, MAX_FIELD_BYTES, 'a field');
      if (part.name !== null) fields[part.name] = decoder.decode(value);
    }
    throw malformed('The body holds no file part.');
  } catch (err) {
    await input.reader.cancel().catch(() => {});
    throw err;
  }
}
