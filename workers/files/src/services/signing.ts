import { secretOf } from './config.js';

const encoder = new TextEncoder();
const keys = new Map<string, CryptoKey>();

async function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

const base64url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The HMAC-SHA256 of `purpose` and `message` with FILES_SIGNING_KEY, base64url. The purpose is signed too, so that a
 * signature made for one kind of URL never verifies for another.
 */
export async function sign(
  env: Pick<FilesEnv, 'FILES_SIGNING_KEY'>,
  purpose: string,
  message: string,
): Promise<string> {
  const key = await hmacKey(secretOf(env.FILES_SIGNING_KEY, 'FILES_SIGNING_KEY'));
  return base64url(await crypto.subtle.sign('HMAC', key, encoder.encode(`${purpose}\n${message}`)));
}

/** Whether `signature` is `sign(purpose, message)`, compared in constant time by WebCrypto. */
export async function verify(
  env: Pick<FilesEnv, 'FILES_SIGNING_KEY'>,
  purpose: string,
  message: string,
  signature: string,
): Promise<boolean> {
  const bytes = fromBase64url(signature);
  // Only the canonical spelling: the last of 43 characters carries 2 padding bits, and a signature that differs only
  // there must not verify, or a changed character of a signed URL would still be accepted.
  if (bytes === null || bytes.length !== 32 || base64url(bytes.buffer as ArrayBuffer) !== signature) return false;
  const key = await hmacKey(secretOf(env.FILES_SIGNING_KEY, 'FILES_SIGNING_KEY'));
  return crypto.subtle.verify('HMAC', key, bytes, encoder.encode(`${purpose}\n${message}`));
}

/** A random secret for links and keys, base64url (`bytes` of entropy). */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)).buffer as ArrayBuffer);
}

/** SHA-256 of a token, hex: what is stored of a link's secret. */
export async function tokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', encoder.encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
