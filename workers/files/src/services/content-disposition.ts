// Types a browser shows inline without running anything: every other type, above all HTML, SVG and XML, which can
// carry script, is an attachment whatever the request asks (and the answer carries `CSP: sandbox` besides).
const INLINE_TYPES = new Set([
  'text/plain',
  'text/csv',
  'application/pdf',
  'application/json',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/webm',
  'audio/aac',
  'audio/flac',
  'video/mp4',
  'video/webm',
  'video/ogg',
]);

/** The media type without its parameters, lower-case. */
export const essenceOf = (contentType: string) => (contentType.split(';')[0] ?? '').trim().toLowerCase();

/** Whether content of `contentType` may be shown inline. */
export const inlineSafe = (contentType: string) => INLINE_TYPES.has(essenceOf(contentType));

// RFC 5987 attr-char: everything else is percent-encoded, so `'`, `(`, `)` and `*` are too.
const encodeExtValue = (name: string) =>
  encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The ASCII fallback of a name for `filename="…"`: anything outside printable ASCII, and the quote and backslash
 * that would end or escape the quoted string, become `_`; `%` too, since some browsers percent-decode this form, and
 * `;`, which naive parsers take for the end of the parameter even inside quotes.
 */
function asciiFallback(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const safe = ascii.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return safe.trim() === '' ? 'download' : safe;
}

/**
 * A `Content-Disposition` (RFC 6266) that carries any name safely: an ASCII `filename` for old clients and the exact
 * name as UTF-8 in `filename*` (RFC 5987), which clients that know it prefer.
 */
export function contentDisposition(name: string, attachment: boolean): string {
  const kind = attachment ? 'attachment' : 'inline';
  return `${kind}; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}
