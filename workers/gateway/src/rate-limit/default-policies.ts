import type { Algorithm } from './algorithms.js';

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
 * while Redis is away would turn a limiter outage into a platform outage. It lives in the gateway because a limit
 * must refuse a request before it costs a service anything, and a deployment replaces the whole table with
 * `RATE_LIMIT_POLICIES`; `test/route-tables.test.ts` proves that every policy matches a documented route.
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
