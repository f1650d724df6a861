import { secretOf } from './config.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const VERSION = 'v1';
const keys = new Map<string, Promise<CryptoKey>>();

// HKDF gives the sealing key its own purpose: FILES_SEALING_KEY could later seal something else without one sealed
// value ever opening as another.
function sealingKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']).then((base) =>
      crypto.subtle.deriveKey(
        {
          name: 'HKDF',
          hash: 'SHA-256',
          salt: encoder.encode('onasis-files'),
          info: encoder.encode('s3-secret-access-key'),
        },
        base,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      ),
    );
    keys.set(secret, key);
  }
  return key;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * An S3 secret sealed with AES-GCM under a key derived from FILES_SEALING_KEY. The access key id is the associated
 * data, so a sealed secret copied onto another key's row does not open.
 */
export async function sealSecret(
  env: Pick<FilesEnv, 'FILES_SEALING_KEY'>,
  accessKeyId: string,
  secret: string,
): Promise<string> {
  const key = await sealingKey(secretOf(env.FILES_SEALING_KEY, 'FILES_SEALING_KEY'));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: encoder.encode(accessKeyId) },
    key,
    encoder.encode(secret),
  );
  return `${VERSION}.${toBase64(iv)}.${toBase64(new Uint8Array(sealed))}`;
}

/** The secret `sealSecret` sealed for `accessKeyId`, or null when it does not open (tampered, or another key). */
export async function openSecret(
  env: Pick<FilesEnv, 'FILES_SEALING_KEY'>,
  accessKeyId: string,
  sealed: string,
): Promise<string | null> {
  const [version, iv, data] = sealed.split('.');
  if (version !== VERSION || !iv || !data) return null;
  const key = await sealingKey(secretOf(env.FILES_SEALING_KEY, 'FILES_SEALING_KEY'));
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv), additionalData: encoder.encode(accessKeyId) },
      key,
      fromBase64(data),
    );
    return decoder.decode(plain);
  } catch {
    return null;
  }
}
