import fc from 'fast-check';

/** A JSON Schema node as the merged `/openapi.json` writes it (OpenAPI 3.1, zod-openapi output). */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
}

/** Resolves `#/components/…` references against the document they came from. */
export type Resolver = (schema: Schema) => Schema;

/** A resolver for `doc`; a reference it cannot follow is a schema that accepts anything. */
export function resolverOf(doc: Record<string, unknown>): Resolver {
  return function resolve(schema) {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined && hops < 16; hops++) {
      const target = current.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      current = (target as Schema | undefined) ?? {};
    }
    return current;
  };
}

const JSON_LEAF = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));

/**
 * Values the schema accepts, or nearly: the starting point that mutations then break one field at a time, so that a
 * request gets past the fields it does not target and reaches deeper code. Bounded in size; not a validator.
 * `allKeys` fills in every optional property too (and one item of every array), for sweeps over every field.
 */
export function validish(schema: Schema, resolve: Resolver, depth = 0, allKeys = false): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 6) return JSON_LEAF;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum && s.enum.length > 0) return fc.constantFrom(...s.enum);
  const variants = s.anyOf ?? s.oneOf;
  if (variants && variants.length > 0)
    return fc.oneof(...variants.map((v) => validish(v, resolve, depth + 1, allKeys)));
  if (s.allOf && s.allOf.length > 0) {
    const merged: Schema = {};
    for (const part of s.allOf) {
      const r = resolve(part);
      Object.assign(merged, r, {
        properties: { ...merged.properties, ...r.properties },
        required: [...(merged.required ?? []), ...(r.required ?? [])],
      });
    }
    return validish(merged, resolve, depth + 1, allKeys);
  }
  const types = (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []).filter((t) => t !== 'null');
  const type = types[0] ?? (s.properties ? 'object' : s.items ? 'array' : undefined);
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer':
    case 'number': {
      const min = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : (s.minimum ?? -1000);
      const max = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 1 : (s.maximum ?? 1000);
      return type === 'integer'
        ? fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(max)) })
        : fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true });
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(validish(s.items ?? {}, resolve, depth + 1, allKeys), {
        minLength: Math.max(s.minItems ?? 0, allKeys ? 1 : 0),
        maxLength: Math.min(s.maxItems ?? 3, Math.max(s.minItems ?? 0, 3)),
      });
    case 'object': {
      const properties = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, child] of Object.entries(properties))
        record[name] = validish(child, resolve, depth + 1, allKeys);
      const requiredKeys = Object.keys(properties).filter((k) => allKeys || required.has(k));
      return fc.record(record, { requiredKeys });
    }
    default:
      return JSON_LEAF;
  }
}

function stringOf(s: Schema): fc.Arbitrary<string> {
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 24, 64));
  switch (s.format) {
    case 'email':
      return fc.emailAddress();
    case 'date-time':
      return fc
        .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString());
    case 'uri':
    case 'url':
      return fc.webUrl();
    case 'uuid':
      return fc.uuid();
  }
  if (s.pattern !== undefined) {
    try {
      const pattern = new RegExp(s.pattern);
      return fc
        .stringMatching(pattern)
        .filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY));
    } catch {
      // A pattern fast-check cannot invert (or this engine cannot compile) falls back to plain text, which the
      // mutations then treat like any other value.
    }
  }
  return fc.string({ minLength, maxLength, unit: 'grapheme-ascii' });
}
