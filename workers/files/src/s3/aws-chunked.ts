import { S3Error } from './errors.js';
import { hmacHex, sha256Hex, toHex } from './sigv4.js';

const CRLF = [13, 10];
const MAX_LINE = 4096;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The chain of chunk signatures of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` body, seeded by the request's signature. */
export interface ChunkSigning {
  key: ArrayBuffer;
  amzDate: string;
  scope: string;
  seed: string;
}

function indexOfCrlf(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length; i++) if (bytes[i] === CRLF[0] && bytes[i + 1] === CRLF[1]) return i;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const malformed = (why: string) => new S3Error('IncompleteBody', `The aws-chunked body is malformed: ${why}.`);
const badChunk = () =>
  new S3Error('SignatureDoesNotMatch', 'A chunk signature does not match the signature of the request.');

/**
 * Decodes an `aws-chunked` body while it streams (`<hex size>[;chunk-signature=…]\r\n<data>\r\n`…, a zero chunk, then
 * trailer lines such as a checksum, and an empty line). With `signing`, every chunk's signature is checked against
 * the chain seeded by the request's own, and so is the trailer's; a bad one errors the stream, so nothing it fed is
 * kept. Trailing checksums are not checked: the content's SHA-256 is computed on the way in anyway.
 */
export function decodeAwsChunked(
  signing: ChunkSigning | null,
  onError: (err: unknown) => unknown = (err) => err,
): TransformStream<Uint8Array, Uint8Array> {
  let state: 'size' | 'data' | 'data-end' | 'trailer' | 'done' = 'size';
  let pending: Uint8Array = new Uint8Array(0);
  let remaining = 0;
  let claimed = '';
  let previous = signing?.seed ?? '';
  let digest: DigestStream | null = null;
  let writer: WritableStreamDefaultWriter<ArrayBuffer | ArrayBufferView> | null = null;
  const trailers: string[] = [];
  let trailerSignature = '';

  async function checkChunk(hash: string): Promise<void> {
    if (!signing) return;
    const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', signing.amzDate, signing.scope, previous, EMPTY_SHA256, hash].join(
      '\n',
    );
    const expected = await hmacHex(signing.key, toSign);
    if (expected !== claimed) throw badChunk();
    previous = expected;
  }

  async function endChunk(): Promise<void> {
    if (!signing || !writer || !digest) return;
    await writer.close();
    await checkChunk(toHex(await digest.digest));
    writer = null;
    digest = null;
  }

  async function step(input: Uint8Array, controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    let rest = input;
    while (rest.length > 0) {
      if (state === 'data') {
        const n = Math.min(remaining, rest.length);
        const piece = rest.subarray(0, n);
        if (writer) await writer.write(piece);
        controller.enqueue(piece.slice());
        remaining -= n;
        rest = rest.subarray(n);
        if (remaining === 0) {
          await endChunk();
          state = 'data-end';
        }
        continue;
      }
      if (state === 'done') {
        if (rest.some((b) => b !== 13 && b !== 10)) throw malformed('bytes after the last chunk');
        return;
      }
      const buffered = concat(pending, rest);
      if (state === 'data-end') {
        if (buffered.length < 2) {
          pending = buffered;
          return;
        }
        if (buffered[0] !== 13 || buffered[1] !== 10) throw malformed('a chunk does not end with CRLF');
        pending = new Uint8Array(0);
        rest = buffered.subarray(2);
        state = 'size';
        continue;
      }
      const at = indexOfCrlf(buffered);
      if (at < 0) {
        if (buffered.length > MAX_LINE) throw malformed('a line is too long');
        pending = buffered;
        return;
      }
      const line = new TextDecoder().decode(buffered.subarray(0, at));
      pending = new Uint8Array(0);
      rest = buffered.subarray(at + 2);
      if (state === 'size') {
        const [sizeText = '', ...extensions] = line.split(';');
        const size = Number.parseInt(sizeText.trim(), 16);
        if (!/^[0-9a-fA-F]+$/.test(sizeText.trim()) || !Number.isSafeInteger(size)) throw malformed('a bad chunk size');
        claimed = extensions.find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length) ?? '';
        if (signing && !/^[0-9a-f]{64}$/.test(claimed)) throw badChunk();
        if (size === 0) {
          await checkChunk(EMPTY_SHA256);
          state = 'trailer';
        } else {
          remaining = size;
          state = 'data';
          if (signing) {
            digest = new crypto.DigestStream('SHA-256');
            writer = digest.getWriter();
          }
        }
      } else if (line === '') {
        state = 'done';
      } else if (line.startsWith('x-amz-trailer-signature:')) {
        trailerSignature = line.slice('x-amz-trailer-signature:'.length).trim();
      } else {
        trailers.push(line);
      }
    }
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    transform: (chunk, controller) =>
      step(chunk, controller).catch((err: unknown) => {
        throw onError(err);
      }),
    flush: () =>
      finish().catch((err: unknown) => {
        throw onError(err);
      }),
  });

  async function finish(): Promise<void> {
    // Some clients end the body right after the trailer lines, without the closing empty line.
    if (state === 'trailer' && pending.length === 0) state = 'done';
    if (state !== 'done') throw malformed('it ends before its last chunk');
    if (signing && trailers.length > 0) {
      const hash = await sha256Hex(trailers.map((t) => `${t.trim()}\n`).join(''));
      const toSign = ['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, signing.scope, previous, hash].join('\n');
      if ((await hmacHex(signing.key, toSign)) !== trailerSignature) throw badChunk();
    }
  }
}
