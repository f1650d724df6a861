// The rate-limit policy model, split by concept; importers (middleware, tests, e2e setup) keep using this path.
export { DEFAULT_POLICIES, type KeyKind, type PolicyConfig } from './default-policies.js';
export { clientAddress, type HeaderSource, keyOf } from './policy-keys.js';
export { matchPolicy } from './policy-matching.js';
export { type Policy, parsePolicies, policiesOf } from './policy-parsing.js';
