import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import { configOf, FORM_BODY_PATHS, OPEN_CORS_PATHS, takesRawBody } from '../config.js';
import type { AppEnv } from '../context.js';

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
const TEXT_TYPE = /^text\/plain\s*(;|$)/i;

/** Whether a body of `type` may reach `path`: JSON anywhere, forms and plain text where the path takes them. */
function admitted(path: string, type: string): boolean {
  if (JSON_TYPE.test(type)) return true;
  if (FORM_TYPE.test(type)) return FORM_BODY_PATHS.has(path);
  return TEXT_TYPE.test(type) && OPEN_CORS_PATHS.has(path);
}

/**
 * How much of an oversized body is read and thrown away before the 413 goes out. Answering while the client (or a
 * proxy in front of the Worker, such as wrangler's) is still writing races the runtime's cancellation of the body
 * against that writer: now and then the writer fails first and the client gets the proxy's plain-text 500 instead
 * of our 413. Draining lets the writer finish; past this bound the body is cancelled (the sender is abusive, and the
 * connection is given up either way).
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;

function tooLarge(maxSize: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `The request body exceeds ${maxSize} bytes.`);
}

/** Reads and discards what is left of a body, up to DRAIN_MAX_BYTES, then cancels the rest. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let drained = 0;
  try {
    while (drained <= DRAIN_MAX_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      drained += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The sender went away: there is nothing left to drain.
  }
}

/**
 * The whole body when it fits in `maxSize` bytes, else null once the rest has been drained. JSON bodies are small
 * (MAX_BODY_BYTES), so buffering them here is what lets every later step (idempotency fingerprint, proxy) see a
 * plain, complete body instead of a stream that may still fail.
 */
async function readBounded(body: ReadableStream<Uint8Array>, maxSize: number): Promise<Uint8Array | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxSize) {
      await drain(reader);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * An upload body too large to buffer, counted as it streams to the service. Past `maxSize` the stream fails, and
 * `onOverflow` records it so that the guard answers 413 whatever the service or the proxy made of the failure.
 */
function countedStream(body: ReadableStream<Uint8Array>, maxSize: number, onOverflow: () => void): ReadableStream {
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > maxSize) {
          onOverflow();
          controller.error(tooLarge(maxSize));
          return;
        }
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Refuses bodies the platform will not read before they reach a service: over the size limit (413; upload routes
 * have their own, larger one) or, on JSON routes, of another media type (415; the unsubscribe link also takes the
 * form body mail clients send). A declared length over the limit is judged from the header; every JSON body is read
 * here in full (bounded), so an oversized one always ends as a 413 problem before anything else touches it.
 */
export function bodyGuard(): MiddlewareHandler<AppEnv> {
  return async function bodyGuard(c, next) {
    const raw = c.req.raw;
    const body = raw.body;
    const declared = c.req.header('content-length');
    if (body === null || declared === '0') return next();
    const config = configOf(c.env);
    const upload = takesRawBody(c.req.path);
    const type = c.req.header('content-type') ?? '';
    if (!upload && !admitted(c.req.path, type)) {
      await drain(body.getReader());
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json.');
    }
    const maxSize = upload ? config.maxUploadBytes : config.maxBodyBytes;
    if (declared !== undefined && !c.req.header('transfer-encoding') && Number(declared) > maxSize) {
      await drain(body.getReader());
      throw tooLarge(maxSize);
    }
    // A JSON body is read in full before anything answers, declared length or not: a service that answers without
    // reading it (a 404, a refusal) would otherwise race the sender, as an oversized body did.
    if (!upload) {
      const bytes = await readBounded(body, maxSize);
      if (bytes === null) throw tooLarge(maxSize);
      c.req.raw = new Request(raw, { body: bytes });
      return next();
    }
    // An HTTP request delivers exactly its declared Content-Length, so a declared body within the limit needs no
    // counting and goes on as the runtime's own stream: a JavaScript transform in its path would touch every chunk
    // of a 100 MiB upload. Only a body of unknown length (chunked) is counted.
    if (declared !== undefined && !c.req.header('transfer-encoding')) {
      await next();
      const unread = raw.body;
      if (unread !== null && !unread.locked && !raw.bodyUsed) await drain(unread.getReader());
      return;
    }
    let overflowed = false;
    const counted = new Request(raw, {
      body: countedStream(body, maxSize, () => {
        overflowed = true;
      }),
      // @ts-expect-error duplex is required for streaming request bodies but missing from the type.
      duplex: 'half',
    });
    c.req.raw = counted;
    await next();
    // Refused before it reached the service (401, 403, 429): the upload is read off before the answer goes out, as an
    // oversized body is, so that the sender is not cut off mid-write.
    const unread = counted.body;
    if (unread !== null && !unread.locked && !counted.bodyUsed) await drain(unread.getReader());
    // The service or the proxy saw a failed stream and answered for it (a 4xx, 502); the cause is the size.
    if (overflowed) throw tooLarge(maxSize);
  };
}
