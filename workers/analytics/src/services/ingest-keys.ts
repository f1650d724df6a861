/** Prefix of every ingest key, so that a leaked one is recognisable (secret scanners, logs). */
export const INGEST_KEY_PREFIX = 'oak_';

/** A new ingest key: the prefix and 192 random bits in hex. */
export function newIngestKey(): string {
  let hex = '';
  for (const b of crypto.getRandomValues(new Uint8Array(24))) hex += b.toString(16).padStart(2, '0');
  return `${INGEST_KEY_PREFIX}${hex}`;
}

/** SHA-256 of a key, hex: the only form of it ever stored. */
export async function ingestKeyHash(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
