import { SNIFF_BYTES } from './sniff.js';
import { assembledKey, type SessionState, tailKey } from './tus-session.js';

/** Chunks of any size gathered until a whole part, cut exactly. */
class PartBuffer {
  private chunks: Uint8Array[] = [];
  size = 0;

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  /** A copy of the first `n` bytes (n ≤ size), left in the buffer. */
  peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    for (const chunk of this.chunks) {
      if (filled === n) break;
      const used = Math.min(chunk.byteLength, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
    }
    return out;
  }

  /** The first `n` bytes (n ≤ size), removed from the buffer. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0] as Uint8Array;
      const used = Math.min(head.byteLength, n - filled);
      out.set(head.subarray(0, used), filled);
      filled += used;
      if (used === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.size -= n;
    return out;
  }
}

/** How appending a body ended, besides what `state` now says. */
export type AppendEnd = 'ended' | 'too-long' | 'interrupted' | 'stopped' | 'refused';

/** What the session gives `appendBody` besides the bytes. */
export interface AppendHooks {
  /** Saves `state` durably. */
  save: () => Promise<void>;
  /** False once the upload was aborted meanwhile. */
  isLive: () => boolean;
  /** Called on every chunk that arrives, so the session can tell a stalled body from a slow one. */
  onRead: () => void;
  /** Aborted when a newer PATCH takes over: reading stops and what arrived is kept, as for a body that broke off. */
  takeOver: AbortSignal;
  /** Judges the upload's first `SNIFF_BYTES` (all of it when shorter) once they are in; false refuses the upload. */
  checkHead: (head: Uint8Array) => Promise<boolean>;
}

/**
 * Appends a PATCH body to an upload: the saved tail first, then the body, cut into `partSize` parts uploaded to the
 * R2 multipart upload as soon as each is whole; `save` runs after every part, so `state.offset` only ever counts
 * bytes R2 holds. When the body ends (or breaks off) the bytes short of a part become the tail object, written before
 * the offset that counts them is saved: a crash between the two leaves a longer tail object than `tailSize` says,
 * and only `tailSize` bytes of it are ever read. A part uploaded but not yet saved is uploaded again under the same
 * number by the retry, which replaces it. The last part (offset reaching `length`) may be short, as R2 allows.
 * `stopped` is an abort that happened meanwhile (`isLive` turned false): nothing more is written. `refused`: the
 * first bytes failed `checkHead`, so a bad file is refused at its first PATCH rather than after its last byte.
 */
export async function appendBody(
  bucket: R2Bucket,
  state: SessionState,
  body: ReadableStream<Uint8Array>,
  { save, isLive, onRead, takeOver, checkHead }: AppendHooks,
): Promise<AppendEnd> {
  const multipart = bucket.resumeMultipartUpload(assembledKey(state.uploadId), state.multipartId ?? '');
  const buffer = new PartBuffer();
  // Bytes of the part in progress that the offset already counts (the saved tail).
  let counted = 0;
  if (state.tailSize > 0) {
    const tail = await bucket.get(tailKey(state.uploadId), { range: { offset: 0, length: state.tailSize } });
    if (tail === null) throw new Error(`tail of ${state.uploadId} is missing`);
    buffer.push(new Uint8Array(await tail.arrayBuffer()));
    counted = state.tailSize;
  }
  const flushPart = async (bytes: Uint8Array) => {
    const part = await multipart.uploadPart(state.parts.length + 1, bytes);
    if (!isLive()) return false;
    state.parts.push(part);
    state.offset += bytes.byteLength - counted;
    state.tailSize = 0;
    counted = 0;
    await save();
    return true;
  };
  const room = () => state.length - state.offset - (buffer.size - counted);

  const reader = body.getReader();
  takeOver.addEventListener('abort', () => reader.cancel().catch(() => {}));
  let end: AppendEnd = 'ended';
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      end = 'interrupted';
      break;
    }
    if (chunk.done) {
      if (takeOver.aborted) end = 'interrupted';
      break;
    }
    onRead();
    let bytes = chunk.value;
    if (bytes.byteLength > room()) {
      bytes = bytes.subarray(0, room());
      end = 'too-long';
    }
    buffer.push(bytes);
    // Checked while still in the buffer (the first part is not uploaded before it), once: a saved tail that already
    // held the head passed this check in an earlier PATCH.
    const head = Math.min(SNIFF_BYTES, state.length);
    if (state.parts.length === 0 && counted < head && buffer.size >= head && !(await checkHead(buffer.peek(head)))) {
      await reader.cancel().catch(() => {});
      return 'refused';
    }
    while (buffer.size >= state.partSize) {
      if (!(await flushPart(buffer.take(state.partSize)))) return 'stopped';
    }
    if (end === 'too-long') {
      await reader.cancel().catch(() => {});
      break;
    }
  }
  if (!isLive()) return 'stopped';
  if (state.offset + (buffer.size - counted) === state.length) {
    if (buffer.size > 0 && !(await flushPart(buffer.take(buffer.size)))) return 'stopped';
    return end;
  }
  if (buffer.size > counted) {
    const tail = buffer.take(buffer.size);
    await bucket.put(tailKey(state.uploadId), tail);
    if (!isLive()) return 'stopped';
    state.offset += tail.byteLength - counted;
    state.tailSize = tail.byteLength;
    await save();
  }
  return end;
}
