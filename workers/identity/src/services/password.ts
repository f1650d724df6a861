/**
 * Password hashing: PBKDF2-HMAC-SHA-256 over HMAC(pepper, password). 100,000 iterations is the most WebCrypto accepts
 * on deployed Workers (local workerd allows more, so tests guard the cap). The stored string names the algorithm and
 * its parameters, `pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>`, so a login can rehash with newer ones.
 *
 * This module uses only WebCrypto so that the local seed script can run it under Node as well.
 */

/** The iteration count every new hash uses; the production maximum. */
export const PBKDF2_ITERATIONS = 100_000;
/** The largest iteration count WebCrypto PBKDF2 accepts on deployed Workers. */
export const PBKDF2_MAX_ITERATIONS = 100_000;

const ALGORITHM = 'pbkdf2-sha256';
const encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

async function derive(password: string, pepper: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  if (iterations > PBKDF2_MAX_ITERATIONS) throw new RangeError(`PBKDF2 iterations above ${PBKDF2_MAX_ITERATIONS}`);
  const pepperKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(pepper),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  // NFC, so that the same password typed on keyboards that compose characters differently hashes the same.
  const peppered = await crypto.subtle.sign('HMAC', pepperKey, encoder.encode(password.normalize('NFC')));
  const baseKey = await crypto.subtle.importKey('raw', peppered, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, baseKey, 256);
  return new Uint8Array(bits);
}

/** The storable hash of `password`. */
export async function hashPassword(password: string, pepper: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await derive(password, pepper, salt, PBKDF2_ITERATIONS);
  return `${ALGORITHM}$${PBKDF2_ITERATIONS}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

/** Whether `password` matches `stored`, and whether `stored` should be rehashed with current parameters. */
export async function verifyPassword(
  password: string,
  stored: string,
  pepper: string,
): Promise<{ valid: boolean; needsRehash: boolean }> {
  const [algorithm, iterText, saltText, hashText] = stored.split('$');
  const iterations = Number(iterText);
  if (algorithm !== ALGORITHM || !Number.isSafeInteger(iterations) || !saltText || !hashText) {
    return { valid: false, needsRehash: false };
  }
  const expected = fromBase64Url(hashText);
  const actual = await derive(password, pepper, fromBase64Url(saltText), iterations);
  let diff = expected.length ^ actual.length;
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) diff |= (expected[i] ?? 0) ^ (actual[i] ?? 0);
  return { valid: diff === 0, needsRehash: iterations !== PBKDF2_ITERATIONS };
}
