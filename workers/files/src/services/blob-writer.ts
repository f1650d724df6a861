import { AppError } from '@onasis/http';
import { putInParts } from './blob-parts.js';
import type { ChunkReader } from './body-reader.js';

/** A body whose first chunks were already read (to sniff its type), and the reader of the rest. */
export interface BodySource {
  head: Uint8Array[];
  reader: ChunkReader;
}

/** How to store a body. */
export interface WriteOptions {
  /** Exact bytes the body must have, when known: it streams straight into R2, and any other length fails (400). */
  length?: number | null;
  /** Store it gzip-compressed. */
  compress: boolean;
  /** Most bytes accepted; past it the write fails with `tooBig()` and nothing is kept. */
  limit: number;
  tooBig: () => AppError;
}

/** What was stored. */
export interface WrittenBlob {
  sha256: string;
  /** Bytes of the body. */
  size: number;
  /** Bytes of the object in R2. */
  storedSize: number;
  encoding: 'identity' | 'gzip';
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * The body as one stream that counts its bytes and feeds them to SHA-256 as they pass, erroring past `limit`.
 * Chunks pass through as they are (no copy); `result()` answers once the stream was read to its end.
 */
function measured(source: BodySource, limit: number, tooBig: () => AppError) {
  const digest = new crypto.DigestStream('SHA-256');
  const hashing = digest.getWriter();
  let size = 0;
  let failure: unknown;
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let next: Uint8Array | undefined;
        try {
          next = source.head.shift() ?? (await source.reader.read()).value;
        } catch {
          // The client went away mid-upload (or its stream broke): bad input, not a fault of ours.
          failure = cutOff();
          controller.error(failure);
          return;
        }
        if (next === undefined) {
          await hashing.close();
          controller.close();
          return;
        }
        size += next.byteLength;
        if (size > limit) {
          failure = tooBig();
          controller.error(failure);
          await source.reader.cancel().catch(() => {});
          return;
        }
        await hashing.write(next);
        controller.enqueue(next);
      },
      async cancel(reason) {
        await source.reader.cancel(reason).catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    failure: () => failure,
    bytesSoFar: () => size,
    result: async () => ({ sha256: hex(await digest.digest), size }),
  };
}

/**
 * Streams a body to R2 at `key` while computing its SHA-256 and size. A known length that is not compressed goes
 * straight through a FixedLengthStream into one `put` (no buffering, no copy); a compressed body or one of unknown
 * length goes in parts (`putInParts`). Fails (and keeps no object) when the body passes `limit`, or differs from a
 * known length (400).
 */
export async function writeBlob(
  bucket: R2Bucket,
  key: string,
  source: BodySource,
  options: WriteOptions,
): Promise<WrittenBlob> {
  const body = measured(source, options.limit, options.tooBig);
  try {
    let storedSize: number;
    if (options.compress) {
      storedSize = await putInParts(
        bucket,
        key,
        body.stream.pipeThrough(new CompressionStream('gzip')) as ReadableStream<Uint8Array>,
      );
    } else if (typeof options.length === 'number') {
      const fixed = new FixedLengthStream(options.length);
      await Promise.all([body.stream.pipeTo(fixed.writable), bucket.put(key, fixed.readable)]);
      storedSize = options.length;
    } else {
      storedSize = await putInParts(bucket, key, body.stream);
    }
    const { sha256, size } = await body.result();
    if (typeof options.length === 'number' && size !== options.length) throw lengthMismatch(options.length);
    return { sha256, size, storedSize, encoding: options.compress ? 'gzip' : 'identity' };
  } catch (err) {
    // Whatever the failure, no object outlives it: a put that completed before a late check is removed too.
    await bucket.delete(key).catch(() => {});
    const failure = body.failure();
    if (failure) throw failure;
    if (err instanceof AppError) throw err;
    const length = options.length;
    // A body shorter than declared ends early; a longer one overflows the fixed-length stream.
    if (typeof length === 'number' && body.bytesSoFar() !== length) throw lengthMismatch(length);
    throw err;
  }
}

/** The 400 of a body that broke off mid-way (a client that went away). */
export const cutOff = () =>
  new AppError('VALIDATION_FAILED', 'The request body was cut off before its end.', {
    errors: [{ path: 'body', message: 'Cut off.' }],
  });

/** The 400 of a body that is not the length it declared. */
export const lengthMismatch = (length: number) =>
  new AppError('VALIDATION_FAILED', `The body is not the ${length} bytes its length declared.`, {
    errors: [{ path: 'body', message: `Expected exactly ${length} bytes.` }],
  });
