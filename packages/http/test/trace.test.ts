import { describe, expect, it } from 'vitest';
import { nextTraceparent, requestIdFrom, traceIdOf } from '../src/index.js';

describe('nextTraceparent', () => {
  it('keeps the caller trace id and flags with a new span id', () => {
    const incoming = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const next = nextTraceparent(incoming);
    expect(next).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(next).not.toBe(incoming);
  });

  it.each([
    ['garbage'],
    ['00-00000000000000000000000000000000-b7ad6b7169203331-01'],
    ['00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01'],
    ['00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01'],
  ])('starts a new trace for an invalid header %s', (header) => {
    const next = nextTraceparent(header);
    expect(next).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(traceIdOf(next)).not.toBe('0af7651916cd43dd8448eb211c80319c');
  });
});

describe('requestIdFrom', () => {
  it('reuses a short printable id', () => {
    expect(requestIdFrom('client-req.42:a_b')).toBe('client-req.42:a_b');
  });

  it.each([['has space'], ['x'.repeat(129)], ['line\nbreak'], [''], [null]])(
    'replaces %j with a generated id',
    (incoming) => {
      expect(requestIdFrom(incoming)).toMatch(/^req_[0-9a-f]{24}$/);
    },
  );
});
