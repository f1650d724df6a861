import type { StoredResponse } from '../durable-objects/idempotency-store.js';
import { idempotencyObjectName } from './idempotency-keys.js';
import { open, seal } from './sealing.js';

const encoder = new TextEncoder();

/**
 * Whether a response carries credentials (`Set-Cookie`, `Cache-Control: no-store`: a new API key's secret, tokens,
 * session cookies, TOTP secrets, recovery codes). These are exactly the answers a client must not lose and must not
 * get twice (a second API key, a second enrolment), so they are kept too, but sealed: the store holds ciphertext
 * under a gateway secret, never a second readable copy.
 */
export function carriesSecrets(res: Response): boolean {
  return res.headers.has('set-cookie') || /(^|,)\s*no-store\s*(,|$)/i.test(res.headers.get('cache-control') ?? '');
}

/** What a sealed record holds: every header (cookies apart, as `Headers` cannot join them) and the body. */
interface SealedHead {
  headers: Record<string, string>;
  cookies: string[];
}

/** Binds a seal to its caller, key and request, so that a record opens for no other. */
export function sealContext(scope: string, key: string, fingerprint: string): string {
  return `${idempotencyObjectName(scope, key)}\n${fingerprint}`;
}

export async function sealResponse(
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

export async function openResponse(
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
