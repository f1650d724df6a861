/**
 * AES-256-GCM sealing of the responses the idempotency store keeps although they carry secrets (`no-store` answers
 * and `Set-Cookie`: new API keys, tokens, TOTP secrets). The store then holds ciphertext only; the key is a gateway
 * secret (`IDEMPOTENCY_SEALING_KEY`) that never reaches a Durable Object.
 */

/** Settings read beyond the generated `GatewayEnv`. */
export interface SealingEnv {
  ENVIRONMENT?: string;
  IDEMPOTENCY_SEALING_KEY?: string;
}

/**
 * Used only where `ENVIRONMENT` is `local` and the secret is not set (a fresh checkout, the e2e platform): local
 * records protect nothing worth a secret. Anywhere else a missing secret is a configuration error.
 */
const LOCAL_SEALING_SECRET = 'local-idempotency-sealing-key-not-secret';
const IV_BYTES = 12;
const encoder = new TextEncoder();

let cached: { secret: string; key: CryptoKey } | undefined;

/**
 * The sealing key of this environment, or null when none is configured where one is required. The key is kept once
 * derived, not the promise of it: a promise created by one request must not be awaited by another.
 */
export async function sealingKeyOf(env: SealingEnv): Promise<CryptoKey | null> {
  const secret = env.IDEMPOTENCY_SEALING_KEY || (env.ENVIRONMENT === 'local' ? LOCAL_SEALING_SECRET : undefined);
  if (secret === undefined) return null;
  if (cached?.secret === secret) return cached.key;
  // Hashed so that a secret of any length gives a 256-bit key.
  const raw = await crypto.subtle.digest('SHA-256', encoder.encode(secret));
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  cached = { secret, key };
  return key;
}

/** `plaintext` sealed under `key`, bound to `context` (a record sealed for one key and request opens for no other). */
export async function seal(key: CryptoKey, plaintext: Uint8Array, context: string): Promise<ArrayBuffer> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(context) },
    key,
    plaintext,
  );
  const out = new Uint8Array(IV_BYTES + ciphertext.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ciphertext), IV_BYTES);
  return out.buffer;
}

/** What `seal` sealed, or null when it does not open under `key` and `context` (another key, a swapped record). */
export async function open(key: CryptoKey, sealed: ArrayBuffer, context: string): Promise<Uint8Array | null> {
  if (sealed.byteLength <= IV_BYTES) return null;
  const bytes = new Uint8Array(sealed);
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: bytes.subarray(0, IV_BYTES), additionalData: encoder.encode(context) },
      key,
      bytes.subarray(IV_BYTES),
    );
    return new Uint8Array(plaintext);
  } catch {
    return null;
  }
}
