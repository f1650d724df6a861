import fc from 'fast-check';

/** JSON text put into a body verbatim: number tokens and nesting that `JSON.stringify` cannot produce. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `value` as JSON text, with `RawJson` parts spliced in as they are. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Strings that have broken parsers, logs, headers, templates or SQL somewhere: NUL and control characters, CRLF
 * header injection, bidi overrides and zero-width characters, lone surrogates (valid in JSON text, invalid UTF-16
 * and not encodable as UTF-8), combining runs, path traversal, markup and template syntax.
 */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\t',
  '\u0000',
  'a\u0000b',
  '\u0001\u0002\u0003\u001f\u007f',
  '\r\nX-Injected: 1',
  'to@example.com\r\nBcc: victim@example.com',
  'user@example.com\u0000.evil.test',
  '\u202eexe.txt',
  '\u200b\u200c\u200d\u2060',
  '\ufeff',
  '\u2028\u2029\u0085',
  '\ud800',
  'x\udfffy',
  'e\u0301'.repeat(300),
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 👩‍👩‍👧‍👦 ﷽',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{token}}',
  '{{{url}}}',
  '{{#each x}}{{/each}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: template-injection syntax, sent as a literal on purpose.
  '${7*7}',
  '__proto__',
  'constructor',
  'null',
  'undefined',
  'NaN',
  '-1',
  'true',
  '[]',
  '{}',
  'javascript:alert(1)',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
] as const;

/** Number tokens at and past the edges: negative zero, precision loss, overflow to Infinity, subnormals. */
const HOSTILE_NUMBERS: unknown[] = [
  -1,
  0,
  new RawJson('-0'),
  0.5,
  1.5,
  -1.5,
  2 ** 31,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  5e-324,
  new RawJson('1e999'),
  new RawJson('-1e999'),
  new RawJson(`1${'0'.repeat(400)}`),
  new RawJson('0.0000000000000000000000000000000000000000001'),
];

/** A hostile string: a known-bad one, random code points (controls and astral planes included), or a huge one. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u0000', '\r', '\n', '\u202e', '\u200b', '\ud800', '\udfff', '\ufeff', '\u2028', 'a'),
      minLength: 1,
      maxLength: 30,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...[1_000, 70_000, 300_000].map((n) => 'A'.repeat(n))) },
);

/** A hostile number token. */
export const hostileNumber: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((n) => new RawJson(n.toString())) },
);

/** Nesting past what a recursive parser, validator or serializer survives. */
export const deepNesting: fc.Arbitrary<RawJson> = fc.constantFrom(
  ...[64, 1_000, 10_000, 100_000].flatMap((depth) => [
    new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`),
    new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  ]),
);

/** Any value of the wrong type for most fields: strings, numbers, booleans, null, containers, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(true, false, null, [], {}, [null], { '': null }) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(...[1_000, 20_000].map((n) => new RawJson(`[${'0,'.repeat(n - 1)}0]`))) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, fc.constant(1), { maxKeys: 3 }) },
  { weight: 1, arbitrary: deepNesting },
);

/** Bodies that are not JSON, or not quite: truncation, trailing garbage, single quotes, BOM, bad escapes. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":1',
    '{"a":1,}',
    "{'a':1}",
    '{a:1}',
    'nul',
    'NaN',
    'undefined',
    '\ufeff{}',
    '{}garbage',
    '{"a":1}{"b":2}',
    '[1,2',
    '"\\ud800',
    '{"a":"\\u00zz"}',
    '{"a":"\u0000"}',
    '{"a":01}',
    '{"a":1e}',
    '{"a":"x"\n"b":1}',
    '\u0000',
    `${'['.repeat(200_000)}`,
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !isJson(s)),
);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Media types a JSON route must refuse or read correctly: none at all, text, forms, multipart, XML, a lookalike,
 * other charsets, parameters and case variants.
 */
export const oddContentType: fc.Arbitrary<string | null> = fc.constantFrom(
  null,
  'text/plain',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/xml',
  'application/jsonx',
  'application/json-patch+json',
  'application/json; charset=utf-16',
  'application/json; charset=iso-8859-1',
  'APPLICATION/JSON',
  'application/json;;;',
  'application/json, text/plain',
  '*/*',
  'json',
  'a'.repeat(5_000),
);

/** `text` percent-encoded, lone surrogates as their (invalid) 3-byte sequences instead of an exception. */
export function encodeSegment(text: string): string {
  let out = '';
  for (const ch of text) {
    const unit = ch.charCodeAt(0);
    if (ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Path segments written raw: traversal, encoded NUL and slashes, broken percent escapes, overlong UTF-8. */
export const RAW_HOSTILE_SEGMENTS = [
  '..',
  '.',
  '..%2F..%2Fadmin',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fhealth',
  '%00',
  'a%00b',
  '%',
  '%ZZ',
  '%ED%A0%80',
  '%FF%FE',
  '%C0%AF',
  '%0D%0AX-Injected:%201',
  '%E2%80%AE',
  '%20',
  '*',
  'me',
  '__proto__',
  'constructor',
  '0',
  '-1',
  '1e999',
  `usr_${'a'.repeat(5_000)}`,
  'x'.repeat(100_000),
] as const;

/** Values that are percent-encoded already (or broken on purpose) for a query string. */
export const RAW_HOSTILE_QUERY_VALUES = [
  '',
  '%',
  '%ZZ',
  '%00',
  '%FF',
  '%ED%A0%80',
  '-1',
  '0',
  '1.5',
  '1e999',
  'NaN',
  'Infinity',
  '0x10',
  '%20%2010',
  '10%00',
  '9'.repeat(400),
  'a'.repeat(100_000),
  '%0D%0ASet-Cookie:%20x=1',
  'eyJjcmVhdGVkQXQiOnsiJGd0IjoiIn0sImlkIjoxfQ',
  'W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1dXV1d',
] as const;
