import { type BodySource, cutOff } from './blob-writer.js';
import type { ChunkReader } from './body-reader.js';
import { SNIFF_BYTES } from './sniff.js';

/** The first chunks of a body, at least SNIFF_BYTES of them unless it is shorter; and those bytes as one array. */
export async function readHead(reader: ChunkReader): Promise<BodySource & { bytes: Uint8Array }> {
  const head: Uint8Array[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const { value, done } = await reader.read().catch(() => {
      throw cutOff();
    });
    if (done) break;
    if (value.byteLength === 0) continue;
    head.push(value);
    length += value.byteLength;
  }
  const first = head[0];
  if (head.length === 1 && first) return { head, reader, bytes: first.subarray(0, SNIFF_BYTES) };
  const bytes = new Uint8Array(Math.min(length, SNIFF_BYTES));
  let at = 0;
  for (const chunk of head) {
    if (at >= bytes.byteLength) break;
    const part = chunk.subarray(0, bytes.byteLength - at);
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { head, reader, bytes };
}
