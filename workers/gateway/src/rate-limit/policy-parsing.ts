import { z } from 'zod';
import type { LimitRule } from './algorithms.js';
import { DEFAULT_POLICIES, type KeyKind, type PolicyConfig } from './default-policies.js';

/** A policy ready for the hot path: matcher and header text computed once. */
export interface Policy extends LimitRule {
  id: string;
  key: KeyKind;
  failMode: 'open' | 'closed';
  /** `null` for any method. */
  method: string | null;
  /** Exact path, or the prefix before a trailing `*` (with its slash). */
  path: string;
  prefix: boolean;
  /** Split path, only for patterns with `:name` segments. */
  segments: string[] | null;
  /** `RateLimit-Policy` value. */
  policyHeader: string;
  /** `RateLimit` value up to the remaining count. */
  stateHeaderStart: string;
  /** Counts failed credential checks rather than requests (see PolicyConfig.counts). */
  countsFailures: boolean;
}

const PolicySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,32}$/),
    match: z.string().regex(/^(\*|[A-Z]+) \/\S*$/),
    key: z.enum(['ip', 'user', 'api_key', 'user_or_ip']),
    algorithm: z.enum(['sliding_window', 'token_bucket']),
    limit: z.number().int().positive(),
    windowSeconds: z.number().int().positive(),
    refillRate: z.number().int().positive().optional(),
    failMode: z.enum(['open', 'closed']),
    counts: z.enum(['requests', 'credential_failures']).optional(),
  })
  .strict();

const PoliciesSchema = z.array(PolicySchema).refine((list) => new Set(list.map((p) => p.id)).size === list.length, {
  message: 'policy ids must be unique',
});

function compile(config: PolicyConfig): Policy {
  const [method = '*', path = '/'] = config.match.split(' ');
  const windowMs = config.windowSeconds * 1000;
  const refillRate = config.algorithm === 'token_bucket' ? (config.refillRate ?? config.limit) : config.limit;
  // A token bucket's quota is its size, renewed in the time it takes to refill from empty.
  const policyWindow =
    config.algorithm === 'token_bucket'
      ? Math.ceil(config.limit / refillRate) * config.windowSeconds
      : config.windowSeconds;
  const prefix = path.endsWith('/*');
  return {
    id: config.id,
    key: config.key,
    failMode: config.failMode,
    algorithm: config.algorithm,
    limit: config.limit,
    windowMs,
    refillRate,
    method: method === '*' ? null : method,
    path: prefix ? path.slice(0, -1) : path,
    prefix,
    segments: path.includes('/:') ? path.split('/') : null,
    policyHeader: `"${config.id}";q=${config.limit};w=${policyWindow}`,
    stateHeaderStart: `"${config.id}";r=`,
    countsFailures: config.counts === 'credential_failures',
  };
}

/** Parses a `RATE_LIMIT_POLICIES` value: empty or absent means the built-in table, `[]` no limits at all. */
export function parsePolicies(raw: string | undefined): Policy[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_POLICIES.map(compile);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new Error('RATE_LIMIT_POLICIES is not valid JSON');
  }
  const parsed = PoliciesSchema.safeParse(json);
  // A deployment with a broken table must not quietly run without limits: every request fails until it is fixed.
  if (!parsed.success) throw new Error(`RATE_LIMIT_POLICIES is invalid: ${parsed.error.message}`);
  return parsed.data.map(compile);
}

let cached: { raw: string | undefined; policies: Policy[] } | undefined;

/** The policies of this environment, parsed once per distinct configuration. */
export function policiesOf(env: { RATE_LIMIT_POLICIES?: string }): Policy[] {
  const raw = env.RATE_LIMIT_POLICIES;
  if (cached === undefined || cached.raw !== raw) cached = { raw, policies: parsePolicies(raw) };
  return cached.policies;
}
