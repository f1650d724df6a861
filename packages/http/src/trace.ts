const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  for (let i = 0; i < buf.length; i++) out += HEX[buf[i] as number];
  return out;
}

/**
 * The `traceparent` for this hop: the caller's trace id with a new span id when the incoming header is valid
 * (all-zero ids are invalid per W3C Trace Context), otherwise a new sampled trace.
 */
export function nextTraceparent(incoming: string | null | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  if (match?.[1] && match[2] && !/^0+$/.test(match[1]) && !/^0+$/.test(match[2])) {
    return `00-${match[1]}-${randomHex(8)}-${match[3]}`;
  }
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/** The trace id part of a `traceparent`. */
export function traceIdOf(traceparent: string): string {
  return traceparent.slice(3, 35);
}

/** The caller's request id when it is short and printable (it lands in logs and headers), otherwise a new one. */
export function requestIdFrom(incoming: string | null | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : `req_${randomHex(12)}`;
}
