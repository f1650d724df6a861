/**
 * A new opaque id: a type prefix and 128 random bits in hex, e.g. `usr_3f9c…`. The prefix tells a reader (and a
 * log search) what the id names; nothing may parse meaning out of the rest.
 */
export function newId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return `${prefix}_${hex}`;
}
