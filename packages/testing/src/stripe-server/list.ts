import { invalidRequest, missing, ok, type StripeAnswer } from './errors.js';
import { type Form, field } from './form.js';

/**
 * One page of a Stripe list (`limit` 1–100, default 10; `starting_after` an id of the previous page), newest first,
 * as `{ object: 'list', data, has_more, url }`.
 */
export function listPage<T extends { id: string }>(
  newestFirst: T[],
  query: Form,
  url: string,
  kind: string,
): StripeAnswer {
  const limit = Number(field(query, 'limit') ?? '10');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return invalidRequest('This value must be between 1 and 100.', { param: 'limit' });
  }
  const after = field(query, 'starting_after');
  let start = 0;
  if (after !== undefined) {
    const at = newestFirst.findIndex((item) => item.id === after);
    if (at < 0) return missing(kind, after, 'starting_after');
    start = at + 1;
  }
  const data = newestFirst.slice(start, start + limit);
  return ok({ object: 'list', data, has_more: start + limit < newestFirst.length, url });
}
