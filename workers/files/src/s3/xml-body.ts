import { S3Error } from './errors.js';

const MAX_XML_BYTES = 1024 * 1024;

/** A small XML request body as text; past 1 MiB it is refused as `MalformedXML`, unread. */
export async function readXmlBody(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > MAX_XML_BYTES) {
      await reader.cancel();
      throw new S3Error('MalformedXML', 'The XML you provided is too large.');
    }
    chunks.push(value);
  }
  const all = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.byteLength;
  }
  return new TextDecoder().decode(all);
}
