import type { ServiceName } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import type { StoredResponse } from '../durable-objects/idempotency-store.js';
import { openResponse } from './idempotency-seal.js';

/** Largest response body kept for replays; bigger ones run again on a retry (see the README). */
export const MAX_STORED_RESPONSE_BYTES = 256 * 1024;
/** Headers that belong to one exchange, not to the response a replay repeats. */
export const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent']);
const REPLAYED_HEADER = 'idempotent-replayed';

/**
 * Whether a finished response is kept for replays. 5xx and 429 are not: they say "try again", and a retry with the
 * same key must then run again rather than repeat the failure.
 */
export function keepable(res: Response): boolean {
  return res.status < 500 && res.status !== 429;
}

/**
 * Reads a response body up to `MAX_STORED_RESPONSE_BYTES`. When it is larger, the bytes read so far and the rest of
 * the stream are handed back as a new stream, so the client still gets the whole body.
 */
export async function readCapped(
  body: ReadableStream<Uint8Array>,
): Promise<{ bytes: ArrayBuffer } | { rest: ReadableStream }> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_STORED_RESPONSE_BYTES) {
      const rest = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
        },
        async pull(controller) {
          const next = await reader.read();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel(reason) {
          return reader.cancel(reason);
        },
      });
      return { rest };
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes: bytes.buffer };
}

export async function replay(
  c: Context<AppEnv>,
  stored: StoredResponse,
  sealingKey: CryptoKey | null,
  context: string,
): Promise<Response> {
  if (stored.routeTemplate) c.set('routeTemplate', stored.routeTemplate);
  if (stored.service) c.set('service', stored.service as ServiceName);
  let headers = new Headers(stored.headers);
  let body: ArrayBuffer | Uint8Array = stored.body;
  if (stored.sealed) {
    const opened = sealingKey === null ? null : await openResponse(sealingKey, stored, context);
    if (opened === null) {
      // The sealing secret changed since: the first answer is gone, and running the request again is what the key
      // forbids. The client learns both.
      c.get('log').error('idempotency record cannot be opened');
      throw new AppError(
        'CONFLICT',
        'The first response to this Idempotency-Key can no longer be replayed, and the request was not run again; send a new key to run it.',
      );
    }
    headers = new Headers(opened.head.headers);
    for (const cookie of opened.head.cookies) headers.append('set-cookie', cookie);
    body = opened.body;
  }
  headers.set(REPLAYED_HEADER, 'true');
  return new Response(body.byteLength > 0 ? body : null, { status: stored.status, headers });
}
