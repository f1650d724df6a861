// AWS Signature Version 4 as S3 checks it: the canonical request rebuilt from what arrived, then the signature.
const encoder = new TextEncoder();

/** The algorithm name of every signature this API accepts. */
export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** Lower-case hex of bytes. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let out = '';
  for (const b of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) out += b.toString(16).padStart(2, '0');
  return out;
}

/** SHA-256 of text or bytes, lower-case hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data));
}

async function hmac(key: ArrayBuffer | Uint8Array, message: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message));
}

/** The HMAC-SHA256 of `message` under `key`, hex: each SigV4 signature, header, query or chunk. */
export async function hmacHex(key: ArrayBuffer, message: string): Promise<string> {
  return toHex(await hmac(key, message));
}

/** The signing key of a secret for one day, region and service (`AWS4` + secret, HMAC-chained). */
export async function signingKey(secret: string, date: string, region: string, service: string): Promise<ArrayBuffer> {
  const kDate = await hmac(encoder.encode(`AWS4${secret}`), date);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (and `/` when `keepSlash`). */
export function uriEncode(text: string, keepSlash = false): string {
  let out = '';
  for (const byte of encoder.encode(text)) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The canonical URI of a path as it arrived: decoded whole, then encoded once with `/` kept, as S3 does (it signs the
 * key, not its spelling in the URL), so clients that escape more or fewer characters in the URL still match.
 */
export const canonicalUri = (rawPath: string) => uriEncode(decode(rawPath), true);

/** The canonical query string: every parameter but `omit`, encoded, sorted by name then value. */
export function canonicalQuery(search: string, omit?: string): string {
  const pairs: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(search)) {
    if (name === '' || name === omit) continue;
    pairs.push([uriEncode(name), uriEncode(value)]);
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** The canonical headers block (each `name:value\n`) of the signed headers; `host` falls back to the URL's. */
export function canonicalHeaders(headers: Headers, signed: string[], urlHost: string): string {
  return signed
    .map((name) => {
      const value = headers.get(name) ?? (name === 'host' ? urlHost : '');
      return `${name}:${value.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
}

/** What a signature covers besides the request itself. */
export interface SignedParts {
  method: string;
  url: URL;
  headers: Headers;
  signedHeaders: string[];
  payloadHash: string;
  /** `X-Amz-Signature` for a presigned URL: left out of the canonical query. */
  omitQuery?: string;
}

/** The canonical request (SigV4 step 1). */
export function canonicalRequest(parts: SignedParts): string {
  return [
    parts.method.toUpperCase(),
    canonicalUri(parts.url.pathname),
    canonicalQuery(parts.url.search, parts.omitQuery),
    canonicalHeaders(parts.headers, parts.signedHeaders, parts.url.host),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

/** The string to sign (SigV4 step 2) of a canonical request. */
export async function stringToSign(amzDate: string, scope: string, canonical: string): Promise<string> {
  return [ALGORITHM, amzDate, scope, await sha256Hex(canonical)].join('\n');
}

/** Whether two hex signatures are equal, compared in constant time. */
export function sameSignature(expected: string, given: string): boolean {
  const a = encoder.encode(expected);
  const b = encoder.encode(given.toLowerCase());
  if (a.length !== b.length) return false;
  return crypto.subtle.timingSafeEqual(a, b);
}
