import { base64url } from 'jose';

const encoder = new TextEncoder();

/** A URL-safe random secret of `bytes` bytes (256 bits by default). */
export function randomSecret(bytes = 32): string {
  return base64url.encode(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Hex SHA-256 of `text`: how one-time tokens, refresh tokens and recovery codes are stored. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/** Compares two strings in time that depends only on their lengths. */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.min(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** An HMAC-SHA-256 key for one `purpose`, derived with HKDF from the KEY_ENCRYPTION_KEY secret. */
export async function hmacKey(secret: string, purpose: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(purpose), info: encoder.encode('v1') },
    material,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign'],
  );
}

/**
 * The AES-GCM key that seals secrets at rest for one `purpose`, derived with HKDF from the KEY_ENCRYPTION_KEY secret,
 * so that any long random string works as the secret and each purpose gets its own key.
 */
export async function sealingKey(secret: string, purpose: string): Promise<CryptoKey> {
  if (secret.length < 32) throw new Error('KEY_ENCRYPTION_KEY must be at least 32 characters');
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(purpose), info: encoder.encode('v1') },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** `v1.<iv>.<ciphertext>` of `plaintext`; `aad` (e.g. the owning row's id) is bound so sealed values cannot be swapped. */
export async function seal(plaintext: string, aad: string, key: CryptoKey): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
    key,
    encoder.encode(plaintext),
  );
  return `v1.${base64url.encode(iv)}.${base64url.encode(new Uint8Array(sealed))}`;
}

/** The plaintext sealed by `seal`; throws when the key, the aad or the ciphertext differ. */
export async function unseal(sealed: string, aad: string, key: CryptoKey): Promise<string> {
  const [version, iv, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !ciphertext) throw new Error('unknown sealed format');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: base64url.decode(iv), additionalData: encoder.encode(aad) },
    key,
    base64url.decode(ciphertext),
  );
  return new TextDecoder().decode(plain);
}
