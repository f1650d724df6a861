import { segmentsMatch } from '@onasis/contracts';
import type { Policy } from './policy-parsing.js';

/**
 * The first policy that covers `method path`; string comparisons only, unless a pattern has `:name` segments.
 * `failures` picks among the policies that count failed credential checks, otherwise those that count requests.
 */
export function matchPolicy(
  policies: readonly Policy[],
  method: string,
  path: string,
  failures = false,
): Policy | undefined {
  for (const policy of policies) {
    if (policy.countsFailures !== failures) continue;
    if (policy.method !== null && policy.method !== method) continue;
    if (policy.segments !== null) {
      if (segmentsMatch(policy.segments, path.split('/'))) return policy;
    } else if (policy.prefix) {
      if (path.length > policy.path.length && path.startsWith(policy.path)) return policy;
    } else if (path === policy.path) return policy;
  }
  return undefined;
}
