/** Methods whose repetition can change state; a key on any other method is ignored, as it changes nothing. */
export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** 1–255 printable ASCII characters (RFC draft-ietf-httpapi-idempotency-key-header leaves the format to the API). */
export const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

const encoder = new TextEncoder();

/** The Durable Object name of `key` sent by `scope`: a newline cannot occur in either part. */
export function idempotencyObjectName(scope: string, key: string): string {
  return `${scope}\n${key}`;
}

/** Whose keys a request's key is among: the signed-in user's, else those of the client's address. */
export function idempotencyScopeOf(userId: string | undefined, clientIp: string | undefined): string {
  return userId !== undefined ? `user:${userId}` : `anon:${clientIp ?? '-'}`;
}

export async function fingerprintOf(method: string, url: string, body: ArrayBuffer | null): Promise<string> {
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
