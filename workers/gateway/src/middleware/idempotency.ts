import { ownerOf, type ServiceName } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { Context, MiddlewareHandler } from 'hono';
import { takesRawBody } from '../config.js';
import type { AppEnv } from '../context.js';
import type { StoredResponse } from '../durable-objects/idempotency-store.js';
import { open, type SealingEnv, seal, sealingKeyOf } from '../services/sealing.js';

/** Methods whose repetition can change state; a key on any other method is ignored, as it changes nothing. */
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** 1–255 printable ASCII characters (RFC draft-ietf-httpapi-idempotency-key-header leaves the format to the API). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;
/** Largest response body kept for replays; bigger ones run again on a retry (see the README). */
export const MAX_STORED_RESPONSE_BYTES = 256 * 1024;
/** Headers that belong to one exchange, not to the response a replay repeats. */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'traceparent']);
const REPLAYED_HEADER = 'idempotent-replayed';

const encoder = new TextEncoder();

/** The Durable Object name of `key` sent by `scope`: a newline cannot occur in either part. */
export function idempotencyObjectName(scope: string, key: string): string {
  return `${scope}\n${key}`;
}

/** Whose keys a request's key is among: the signed-in user's, else those of the client's address. */
export function idempotencyScopeOf(userId: string | undefined, clientIp: string | undefined): string {
  return userId !== undefined ? `user:${userId}` : `anon:${clientIp ?? '-'}`;
}

async function fingerprintOf(method: string, url: string, body: ArrayBuffer | null): Promise<string> {
  const { pathname, search } = new URL(url);
  const head = encoder.encode(`${method} ${pathname}${search}\n`);
  let input: Uint8Array = head;
  if (body !== null && body.byteLength > 0) {
    input = new Uint8Array(head.byteLength + body.byteLength);
    input.set(head);
    input.set(new Uint8Array(body), head.byteLength);
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Whether a finished response is kept for replays. 5xx and 429 are not: they say "try again", and a retry with the
 * same key must then run again rather than repeat the failure.
 */
function keepable(res: Response): boolean {
  return res.status < 500 && res.status !== 429;
}

/**
 * Whether a response carries credentials (`Set-Cookie`, `Cache-Control: no-store`: a new API key's secret, tokens,
 * session cookies, TOTP secrets, recovery codes). These are exactly the answers a client must not lose and must not
 * get twice (a second API key, a second enrolment), so they are kept too, but sealed: the store holds ciphertext
 * under a gateway secret, never a second readable copy.
 */
function carriesSecrets(res: Response): boolean {
  return res.headers.has('set-cookie') || /(^|,)\s*no-store\s*(,|$)/i.test(res.headers.get('cache-control') ?? '');
}

/** What a sealed record holds: every header (cookies apart, as `Headers` cannot join them) and the body. */
interface SealedHead {
  headers: Record<string, string>;
  cookies: string[];
}

/** Binds a seal to its caller, key and request, so that a record opens for no other. */
function sealContext(scope: string, key: string, fingerprint: string): string {
  return `${idempotencyObjectName(scope, key)}\n${fingerprint}`;
}

async function sealResponse(
  sealingKey: CryptoKey,
  head: SealedHead,
  body: ArrayBuffer,
  context: string,
): Promise<ArrayBuffer> {
  const headBytes = encoder.encode(JSON.stringify(head));
  const plaintext = new Uint8Array(4 + headBytes.byteLength + body.byteLength);
  new DataView(plaintext.buffer).setUint32(0, headBytes.byteLength);
  plaintext.set(headBytes, 4);
  plaintext.set(new Uint8Array(body), 4 + headBytes.byteLength);
  return seal(sealingKey, plaintext, context);
}

async function openResponse(
  sealingKey: CryptoKey,
  stored: StoredResponse,
  context: string,
): Promise<{ head: SealedHead; body: Uint8Array } | null> {
  const plaintext = await open(sealingKey, stored.body, context);
  if (plaintext === null || plaintext.byteLength < 4) return null;
  const length = new DataView(plaintext.buffer, plaintext.byteOffset).getUint32(0);
  const head = JSON.parse(new TextDecoder().decode(plaintext.subarray(4, 4 + length))) as SealedHead;
  return { head, body: plaintext.subarray(4 + length) };
}

/**
 * Reads a response body up to `MAX_STORED_RESPONSE_BYTES`. When it is larger, the bytes read so far and the rest of
 * the stream are handed back as a new stream, so the client still gets the whole body.
 */
async function readCapped(
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

async function replay(
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

/**
 * Idempotency keys (Stripe's semantics) on mutating requests to domain services: the first request with a key runs
 * and its response is kept for 24 hours; a retry with the same key and the same request gets that response again
 * with `Idempotent-Replayed: true` and never reaches the service; a retry while the first still runs gets 409, and
 * the same key with another method, path, query or body gets 422. Keys are per caller: the user for signed-in
 * requests, the client's address (`CF-Connecting-IP`) for anonymous ones.
 *
 * Upload routes are left alone: their bodies may be 100 MiB, too large to buffer for a fingerprint, and the upload
 * protocol has its own resumption.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const key = c.req.header('idempotency-key');
    if (key === undefined || !MUTATING.has(c.req.method)) return next();
    const path = c.req.path;
    if (ownerOf(path) === null || takesRawBody(path)) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 printable ASCII characters.', {
        errors: [{ path: 'header.Idempotency-Key', message: 'Expected 1 to 255 printable ASCII characters' }],
      });
    }

    // The body guard has already bounded it (JSON routes: MAX_BODY_BYTES), so buffering it is safe. The service
    // still needs it, so the request is rebuilt around the buffered bytes.
    let body: ArrayBuffer | null = null;
    if (c.req.raw.body !== null) {
      body = await c.req.raw.arrayBuffer();
      c.req.raw = new Request(c.req.raw, { body });
    }
    const sealingKeyPromise = sealingKeyOf(c.env as GatewayEnv & SealingEnv);
    if (sealingKeyPromise === null) {
      // Without it an answer that carries secrets could be neither kept nor refused on a retry: no guarantee at all.
      c.get('log').error('IDEMPOTENCY_SEALING_KEY is not set; idempotency keys are refused');
      throw new AppError('SERVICE_UNAVAILABLE', 'Idempotency keys are not available right now; retry shortly.', {
        headers: { 'retry-after': '60' },
      });
    }
    const sealingKey = await sealingKeyPromise;
    const fingerprint = await fingerprintOf(c.req.method, c.req.url, body);
    const scope = idempotencyScopeOf(c.get('principal')?.userId, c.req.header('cf-connecting-ip'));
    const context = sealContext(scope, key, fingerprint);
    const namespace = c.env.IDEMPOTENCY;
    const store = namespace.get(namespace.idFromName(idempotencyObjectName(scope, key)));

    const begun = await store.begin(fingerprint, Date.now()).catch((err: unknown) => {
      // Running the request without its record could run it twice, which is what the client's key forbids.
      c.get('log').error('idempotency store unreachable', { err: String(err) });
      throw new AppError('SERVICE_UNAVAILABLE', 'Idempotency keys cannot be checked right now; retry shortly.', {
        headers: { 'retry-after': '5' },
      });
    });
    switch (begun.outcome) {
      case 'done':
        return replay(c, begun.response, sealingKey, context);
      case 'in_progress':
        throw new AppError(
          'IDEMPOTENCY_KEY_IN_USE',
          'A request with this Idempotency-Key is still being processed; retry once it has finished.',
          { headers: { 'retry-after': '1' } },
        );
      case 'mismatch':
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used with a different request; use a new key for a new request.',
        );
    }

    const { token } = begun;
    const release = () =>
      store.release(token).catch((err: unknown) => {
        // The lease runs out by itself; until then a retry gets 409 rather than a second run.
        c.get('log').error('idempotency key not released', { err: String(err) });
      });
    try {
      await next();
    } catch (err) {
      await release();
      throw err;
    }
    const res = c.res;
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (!keepable(res) || declared > MAX_STORED_RESPONSE_BYTES) {
      await release();
      return;
    }
    let bytes: ArrayBuffer = new ArrayBuffer(0);
    // Below, `c.res` is cleared before it is replaced: Hono's setter would otherwise copy the old response's headers
    // into the new one, which already has them.
    if (res.body !== null) {
      let read: Awaited<ReturnType<typeof readCapped>>;
      try {
        read = await readCapped(res.body);
      } catch (err) {
        await release();
        throw err;
      }
      if ('rest' in read) {
        c.res = undefined;
        c.res = new Response(read.rest, res);
        await release();
        return;
      }
      bytes = read.bytes;
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (!PER_REQUEST_HEADERS.has(name) && name !== 'set-cookie') headers[name] = value;
    });
    c.res = undefined;
    c.res = new Response(bytes.byteLength > 0 ? bytes : null, res);
    const secret = carriesSecrets(res);
    const stored: StoredResponse = {
      status: res.status,
      headers: secret ? {} : headers,
      body: secret
        ? await sealResponse(sealingKey, { headers, cookies: res.headers.getSetCookie() }, bytes, context)
        : bytes,
      sealed: secret,
      routeTemplate: c.get('routeTemplate') ?? null,
      service: c.get('service') ?? null,
    };
    try {
      await store.complete(token, stored, Date.now());
    } catch (err) {
      // The client still gets its answer; the key stays claimed until its lease ends, then a retry runs again.
      c.get('log').error('idempotency record not saved', { err: String(err) });
    }
  };
}
