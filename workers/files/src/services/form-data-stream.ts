import { AppError } from '@onasis/http';

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

const malformed = (message: string) =>
  new AppError('VALIDATION_FAILED', 'The multipart/form-data body is not valid.', {
    errors: [{ path: 'body', message }],
  });

/** Where `needle` starts in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  for (
    let i = hay.indexOf(first ?? 0, from);
    i !== -1 && i <= hay.length - needle.length;
    i = hay.indexOf(first ?? 0, i + 1)
  ) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** The boundary of a `multipart/form-data` content type, or null when it is not one. */
export function boundaryOf(contentType: string | null | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/** Reads a body in the few places the parser needs to look ahead (headers, fields); the file itself never goes through it. */
class Buffered {
  buf: Uint8Array = new Uint8Array(0);
  constructor(readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Bytes up to `marker` (consumed with it), reading at most `max` bytes ahead. */
  async until(marker: Uint8Array, max: number, what: string): Promise<Uint8Array> {
    for (;;) {
      const at = indexOf(this.buf, marker);
      if (at >= 0) {
        const before = this.buf.subarray(0, at);
        this.buf = this.buf.subarray(at + marker.length);
        return before;
      }
      if (this.buf.byteLength > max + marker.length) throw malformed(`${what} is too long.`);
      const { value, done } = await this.reader.read();
      if (done) throw malformed(`The body ends inside ${what}.`);
      this.buf = concat(this.buf, value);
    }
  }

  async take(n: number): Promise<Uint8Array> {
    while (this.buf.byteLength < n) {
      const { value, done } = await this.reader.read();
      if (done) throw malformed('The body ends early.');
      this.buf = concat(this.buf, value);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
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

/** A stream of the file part's bytes, up to the next delimiter; chunks pass without copies except near it. */
function partBody(input: Buffered, delimiter: Uint8Array): ReadableStream<Uint8Array> {
  const keep = delimiter.length - 1;
  let carry = new Uint8Array(0);
  let pending: Uint8Array | null = input.buf;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let data = pending;
          pending = null;
          if (data === null) {
            const { value, done } = await input.reader.read();
            if (done) throw malformed('The body ends inside the file part.');
            data = value;
          }
          const emit = (n: number) => {
            const fromCarry = Math.min(n, carry.byteLength);
            if (fromCarry > 0) controller.enqueue(carry.slice(0, fromCarry));
            if (n > fromCarry) controller.enqueue(data.subarray(0, n - fromCarry));
          };
          const edge = concat(carry, data.subarray(0, Math.min(data.byteLength, keep)));
          let at = indexOf(edge, delimiter);
          if (at < 0) {
            const inside = indexOf(data, delimiter);
            at = inside < 0 ? -1 : carry.byteLength + inside;
          }
          if (at >= 0) {
            emit(at);
            controller.close();
            await input.reader.cancel().catch(() => {});
            return;
          }
          const total = carry.byteLength + data.byteLength;
          const held = Math.min(keep, total);
          emit(total - held);
          carry =
            data.byteLength >= held ? data.slice(data.byteLength - held) : concat(carry, data).slice(total - held);
          if (total - held > 0) return;
        }
      },
      async cancel(reason) {
        await input.reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The first file part of a `multipart/form-data` body, read as a stream: text fields before it are collected (at
 * most 32, each up to 64 KiB), the file's bytes stream out as they arrive and whatever follows it is never read.
 * 400 when the body is malformed or holds no file.
 */
export async function firstFilePart(body: ReadableStream<Uint8Array>, boundary: string): Promise<FilePart> {
  const input = new Buffered(body.getReader());
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
