/** The namespace of S3's response documents. */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text made safe inside an XML element or attribute. */
export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** A value of an element: text (escaped), a number, a boolean, or child elements (already XML). */
export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlNode[];

/** Child elements, written in the order given; undefined and null values are left out. */
export type XmlNode = { [tag: string]: XmlValue } | Raw;

/** XML that is already written. */
class Raw {
  constructor(readonly xml: string) {}
}

function write(value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(write).join('');
  if (value instanceof Raw) return value.xml;
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([tag, inner]) => (inner === null || inner === undefined ? '' : element(tag, inner)))
      .join('');
  }
  return escapeXml(String(value));
}

function element(tag: string, value: XmlValue): string {
  if (Array.isArray(value)) return value.map((v) => `<${tag}>${write(v)}</${tag}>`).join('');
  return `<${tag}>${write(value)}</${tag}>`;
}

/** A whole S3 response document: the root element (in S3's namespace) holding `body`. */
export function xmlDocument(root: string, body: XmlNode, namespaced = true): string {
  const open = namespaced ? `<${root} xmlns="${S3_XMLNS}">` : `<${root}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${write(body)}</${root}>`;
}

/** An XML answer. */
export function xmlResponse(xml: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(xml, { status, headers: { 'content-type': 'application/xml', ...headers } });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Element text with its entities and character references resolved. */
export function unescapeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return ENTITIES[ref] ?? '';
  });
}
