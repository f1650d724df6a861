import type { S3Caller } from './authenticate.js';
import { decodeAwsChunked } from './aws-chunked.js';
import { S3Error } from './errors.js';
import { toHex } from './sigv4.js';

/** A request body as its content: decoded from aws-chunked when sent so, checked against its signed hash. */
export interface ObjectBody {
  body: ReadableStream<Uint8Array>;
  /** Bytes of content the client announced (Content-Length, or x-amz-decoded-content-length), when it did. */
  size: number | null;
  /** The S3 error the stream failed with, once it has: what to answer whatever the reader made of the failure. */
  failure(): S3Error | null;
}

function lengthOf(value: string | null): number | null {
  if (value === null) return null;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new S3Error('InvalidArgument', 'A content length is not a number.');
  return n;
}

/** A stream that passes bytes on and errors at the end when their SHA-256 is not `expected`. */
function checkedAgainst(expected: string, fail: (err: S3Error) => S3Error): TransformStream<Uint8Array, Uint8Array> {
  const digest = new crypto.DigestStream('SHA-256');
  const writer = digest.getWriter();
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      await writer.write(chunk);
      controller.enqueue(chunk);
    },
    async flush() {
      await writer.close();
      if (toHex(await digest.digest) !== expected)
        throw fail(
          new S3Error(
            'XAmzContentSHA256Mismatch',
            "The provided 'x-amz-content-sha256' does not match what was computed.",
          ),
        );
    },
  });
}

/**
 * The content of a PutObject or UploadPart body as a stream. A hex `x-amz-content-sha256` is checked as the bytes
 * pass (a mismatch errors the stream at its end, before the reader can keep anything); the streaming forms are
 * decoded, their chunk signatures checked when signed.
 */
export function objectBody(request: Request, caller: S3Caller): ObjectBody {
  let failed: S3Error | null = null;
  const fail = (err: S3Error) => {
    failed ??= err;
    return err;
  };
  const raw = request.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const hash = caller.payloadHash;
  if (hash.startsWith('STREAMING-')) {
    const size = lengthOf(request.headers.get('x-amz-decoded-content-length'));
    const signed = hash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    const recorded = (err: unknown) => (err instanceof S3Error ? fail(err) : err);
    const body = raw
      .pipeThrough(decodeAwsChunked(signed ? caller.chunks : null, recorded))
      .pipeThrough(countedTo(size, fail));
    return { body, size, failure: () => failed };
  }
  const size = lengthOf(request.headers.get('content-length'));
  const body = hash === 'UNSIGNED-PAYLOAD' ? raw : raw.pipeThrough(checkedAgainst(hash, fail));
  return { body, size, failure: () => failed };
}

/** A stream that errors at its end when it did not carry exactly `size` bytes (when a size was announced). */
function countedTo(size: number | null, fail: (err: S3Error) => S3Error): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (size !== null && seen > size)
        throw fail(new S3Error('IncompleteBody', 'The body holds more than x-amz-decoded-content-length.'));
      controller.enqueue(chunk);
    },
    flush() {
      if (size !== null && seen !== size)
        throw fail(new S3Error('IncompleteBody', 'The body holds less than x-amz-decoded-content-length.'));
    },
  });
}
