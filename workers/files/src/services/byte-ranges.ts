import type { ByteRange } from './blob-read.js';

/** What a `Range` header asks of content of a known size (RFC 9110 §14). */
export type RangeAsk = { kind: 'whole' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against content of `size` bytes. One range (`a-b`, `a-`, `-n`) is served as asked, an end
 * past the content clamped to its last byte; a start at or past the end (or `-0`) is unsatisfiable. Anything else,
 * malformed or several ranges, is answered whole, which RFC 9110 allows a server to do with any Range.
 */
export function parseRange(header: string | null | undefined, size: number): RangeAsk {
  if (!header) return { kind: 'whole' };
  const match = SINGLE.exec(header.trim().replace(/\s+/g, ''));
  if (!match) return { kind: 'whole' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'whole' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', range: { start, end: Math.min(end, size - 1) } };
}

/** The `Content-Range` of a served range. */
export const contentRange = (range: ByteRange, size: number) => `bytes ${range.start}-${range.end}/${size}`;
