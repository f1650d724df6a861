import { ownerOf } from '@onasis/contracts';
import { AppError } from '@onasis/http';
import type { MiddlewareHandler } from 'hono';
import { takesRawBody } from '../config.js';
import type { AppEnv } from '../context.js';
import type { StoredResponse } from '../durable-objects/idempotency-store.js';
import {
  keepable,
  MAX_STORED_RESPONSE_BYTES,
  PER_REQUEST_HEADERS,
  readCapped,
  replay,
} from '../services/idempotency-capture.js';
import {
  fingerprintOf,
  idempotencyObjectName,
  idempotencyScopeOf,
  KEY_PATTERN,
  MUTATING,
} from '../services/idempotency-keys.js';
import { carriesSecrets, sealContext, sealResponse } from '../services/idempotency-seal.js';
import { type SealingEnv, sealingKeyOf } from '../services/sealing.js';

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
    const sealingKey = await sealingKeyOf(c.env as GatewayEnv & SealingEnv);
    if (sealingKey === null) {
      // Without it an answer that carries secrets could be neither kept nor refused on a retry: no guarantee at all.
      c.get('log').error('IDEMPOTENCY_SEALING_KEY is not set; idempotency keys are refused');
      throw new AppError('SERVICE_UNAVAILABLE', 'Idempotency keys are not available right now; retry shortly.', {
        headers: { 'retry-after': '60' },
      });
    }
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
