import { type Principal, segmentsMatch } from '@onasis/contracts';
import { z } from 'zod';
import type { Algorithm, LimitRule } from './algorithms.js';

/** Who a policy counts: the client address, the signed-in user, or the API key a request carries. */
export type KeyKind = 'ip' | 'user' | 'api_key' | 'user_or_ip';

/** A rate-limit policy as configured (`RATE_LIMIT_POLICIES` holds a JSON array of these). */
export interface PolicyConfig {
  /** Names the policy in headers and limiter keys: lowercase letters, digits, `-` and `_`. */
  id: string;
  /** `METHOD /path`: `*` for any method; in the path `:name` matches one segment, a trailing `*` the rest. */
  match: string;
  key: KeyKind;
  algorithm: Algorithm;
  /** Requests per window (sliding window) or the bucket's size (token bucket). */
  limit: number;
  /** The window (sliding window) or the refill interval (token bucket). */
  windowSeconds: number;
  /** Tokens added every `windowSeconds` (token bucket; default `limit`). */
  refillRate?: number;
  /** What happens while the limiter cannot be reached: let requests through, or refuse them with 503. */
  failMode: 'open' | 'closed';
  /**
   * What is counted: every request the policy matches (the default), or only its failed credential checks
   * (`credential_failures`): a source over that limit gets 429 instead of having any more credentials checked.
   */
  counts?: 'requests' | 'credential_failures';
}

/**
 * The built-in table. Credential endpoints get tight per-address limits that fail closed, since a limiter outage
 * must not open them to guessing; the API gets a per-caller budget that fails open, since refusing every API call
 * while Redis is away would turn a limiter outage into a platform outage.
 */
export const DEFAULT_POLICIES: readonly PolicyConfig[] = [
  {
    id: 'login',
    match: 'POST /auth/login',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 60,
    failMode: 'closed',
  },
  {
    id: 'register',
    match: 'POST /auth/register',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 5,
    windowSeconds: 60,
    failMode: 'closed',
  },
  {
    id: 'password-forgot',
    match: 'POST /auth/password/forgot',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 5,
    windowSeconds: 900,
    failMode: 'closed',
  },
  // Everything else under /auth that sends mail or checks a secret. Signed-in routes count per user (one account
  // cannot be used to mail or guess from many addresses), the others per address. All fail closed: a limiter outage
  // must open neither a mail cannon nor a code-guessing oracle.
  {
    id: 'password-reset',
    match: 'POST /auth/password/reset',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 900,
    failMode: 'closed',
  },
  {
    id: 'verify-email-resend',
    match: 'POST /auth/verify-email/resend',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 3,
    windowSeconds: 900,
    failMode: 'closed',
  },
  {
    id: 'verify-email',
    match: 'POST /auth/verify-email',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 900,
    failMode: 'closed',
  },
  {
    id: 'mfa-verify',
    match: 'POST /auth/mfa/verify',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 300,
    failMode: 'closed',
  },
  // TOTP enroll, confirm and disable, recovery codes.
  {
    id: 'mfa',
    match: 'POST /auth/mfa/*',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 300,
    failMode: 'closed',
  },
  // Authorize and callback: each starts or finishes a sign-in and writes OAuth state.
  {
    id: 'oauth',
    match: 'GET /auth/oauth/*',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 20,
    windowSeconds: 60,
    failMode: 'closed',
  },
  // An email change mails the new address.
  {
    id: 'profile-update',
    match: 'PATCH /api/v1/users/me',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 3600,
    failMode: 'closed',
  },
  // Setting a phone number texts it a code (SMS pumping otherwise); checking the code guesses a secret.
  {
    id: 'phone',
    match: 'PUT /api/v1/notifications/phone',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 5,
    windowSeconds: 3600,
    failMode: 'closed',
  },
  {
    id: 'phone-verify',
    match: 'POST /api/v1/notifications/phone/verify',
    key: 'user_or_ip',
    algorithm: 'sliding_window',
    limit: 10,
    windowSeconds: 900,
    failMode: 'closed',
  },
  // 600 a minute sustained (10 a second), in bursts of up to 600.
  {
    id: 'api',
    match: '* /api/v1/*',
    key: 'user_or_ip',
    algorithm: 'token_bucket',
    limit: 600,
    windowSeconds: 1,
    refillRate: 10,
    failMode: 'open',
  },
  // Invented tokens and API keys each cost a signature check or a call to identity: after this many failures a
  // source (an address, an IPv6 /64) has no more credentials checked until its window has room again.
  {
    id: 'credential-failures',
    match: '* /*',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 20,
    windowSeconds: 300,
    failMode: 'open',
    counts: 'credential_failures',
  },
  {
    id: 'health',
    match: 'GET /health',
    key: 'ip',
    algorithm: 'sliding_window',
    limit: 30,
    windowSeconds: 60,
    failMode: 'open',
  },
];

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

/**
 * The address a client connects from, as Cloudflare's edge sets it; `X-Forwarded-For` is the client's to write and is
 * never read. Without the header (local development and tests) every request shares the key `unknown`. IPv6 clients
 * are counted per /64, since one subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientAddress(header: string | undefined): string {
  if (!header) return 'unknown';
  return header.includes(':') ? ipv6Prefix(header) : header;
}

function ipv6Prefix(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined && groups.length < 4) {
    const rest = tail === '' ? [] : tail.split(':');
    const missing = 8 - groups.length - rest.length;
    for (let i = 0; i < missing && groups.length < 4; i++) groups.push('0');
    for (const group of rest) if (groups.length < 4) groups.push(group);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The visible part of an API key (`onk_<prefix>`), which names the key without revealing its secret. */
function apiKeyId(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  const bearer = authorization?.replace(/^Bearer +/i, '');
  const key = bearer?.startsWith('onk_') ? bearer : xApiKey;
  if (!key?.startsWith('onk_')) return undefined;
  const end = key.indexOf('_', 4);
  return end > 4 ? key.slice(0, end) : undefined;
}

/** Where a request's headers are read from (Hono's request object). */
export interface HeaderSource {
  header(name: string): string | undefined;
}

/**
 * The limiter key of a request under `policy`, or `undefined` when the policy does not apply to it (`user` without a
 * signed-in caller). `user_or_ip` falls back to the address for anonymous callers; `api_key` gives each API key its
 * own budget and otherwise behaves as `user_or_ip`.
 */
export function keyOf(policy: Policy, principal: Principal | undefined, source: HeaderSource): string | undefined {
  switch (policy.key) {
    case 'ip':
      return `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
    case 'user':
      return principal ? `user:${principal.userId}` : undefined;
    case 'api_key': {
      if (principal?.via === 'api_key') {
        const id = apiKeyId(source.header('authorization'), source.header('x-api-key'));
        if (id !== undefined) return `key:${id}`;
      }
      return principal ? `user:${principal.userId}` : `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
    }
    default:
      return principal ? `user:${principal.userId}` : `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
  }
}
