import { AppError } from '@onasis/http';
import type { ChunkReader } from './body-reader.js';

/** The 400 of a malformed multipart body. */
export const malformed = (message: string) =>
  new AppError('VALIDATION_FAILED', 'The multipart/form-data body is not valid.', {
    errors: [{ path: 'body', message }],
  });

/** Where `needle` starts in `hay` at or after `from`, or -1. */
export function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
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

/** `a` then `b`, copied into one array (`b` itself when `a` is empty). */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

/** Reads a body in the few places the parser needs to look ahead (headers, fields); the file itself never goes through it. */
export class Buffered {
  buf: Uint8Array = new Uint8Array(0);
  constructor(readonly reader: ChunkReader) {}

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

  /** The next `n` bytes. */
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

/** A stream of the file part's bytes, up to the next delimiter; chunks pass without copies except near it. */
export function partBody(input: Buffered, delimiter: Uint8Array): ReadableStream<Uint8Array> {
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
