// Stripe's request encoding: `application/x-www-form-urlencoded` with brackets for nesting (`metadata[order]=7`,
// `expand[0]=latest_charge`), as the SDK writes it with `qs`.

/** Form fields, nested by their brackets; numbered keys stay object keys, which is all the server reads them as. */
export type FormValue = string | { [key: string]: FormValue };
export type Form = { [key: string]: FormValue };

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

/** Parses a query string or a form body into nested fields. A malformed key is kept flat, as Stripe would ignore it. */
export function parseForm(text: string): Form {
  const form: Form = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = KEY.exec(rawKey);
    const head = match?.[1];
    if (!match || head === undefined) {
      form[rawKey] = value;
      continue;
    }
    const path = [head, ...[...(match[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '')];
    let node: Form = form;
    path.forEach((segment, i) => {
      if (i === path.length - 1) node[segment] = value;
      else {
        const next = node[segment];
        const child: Form = typeof next === 'object' ? next : {};
        node[segment] = child;
        node = child;
      }
    });
  }
  return form;
}

/** A string field, or undefined when absent or nested. */
export function field(form: Form, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
}

/** A map of strings (`metadata[k]=v`); an empty string value removes a key, as in Stripe. */
export function stringMap(form: Form, name: string): Record<string, string> {
  const value = form[name];
  if (typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
}
