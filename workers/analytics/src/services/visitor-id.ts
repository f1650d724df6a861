const encoder = new TextEncoder();

/**
 * A visitor's id for one site and one UTC day: hex of the first 8 bytes of SHA-256(salt ‖ siteId ‖ ip ‖ userAgent).
 * The IP and User-Agent go into the hash and nowhere else. Fields are joined by a newline, which none of them can
 * hold, so two different tuples never hash the same bytes.
 */
export async function visitorIdOf(salt: ArrayBuffer, siteId: string, ip: string, userAgent: string): Promise<string> {
  const text = encoder.encode(`\n${siteId}\n${ip}\n${userAgent}`);
  const input = new Uint8Array(salt.byteLength + text.byteLength);
  input.set(new Uint8Array(salt), 0);
  input.set(text, salt.byteLength);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  let hex = '';
  for (const b of digest.subarray(0, 8)) hex += b.toString(16).padStart(2, '0');
  return hex;
}
