import { z } from 'zod';
import type { Permission } from './permissions.js';

/** `aud` of every access token identity issues; the gateway accepts no other. */
export const ACCESS_TOKEN_AUDIENCE = 'onasis-api';
/** JOSE `typ` of access tokens (RFC 9068), so that no other JWT the issuer signs can pass for one. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** The only signature algorithm access tokens use. */
export const ACCESS_TOKEN_ALG = 'ES256';
/** Access-token lifetime in seconds. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
/**
 * Longest time the gateway trusts a cached "this session is live" answer. It bounds how long the access token of a
 * revoked session, or of a disabled or deleted user, keeps working.
 */
export const SESSION_STATUS_CACHE_SECONDS = 30;

/**
 * Who a request acts for, as the gateway verified it. Domain Workers receive it as part of the RPC arguments, never
 * from a header, and make their object-level checks with it.
 */
export const PrincipalSchema = z.object({
  userId: z.string().min(1),
  /** Session of the access token; null for credentials that are not tied to a session. */
  sessionId: z.string().min(1).nullable(),
  permissions: z.array(z.string()),
  via: z.enum(['access_token', 'api_key']),
  /** The user's billing plan, which sets their monthly request quota. */
  plan: z.string().min(1).max(64).optional(),
});

/** A verified caller. */
export type Principal = z.infer<typeof PrincipalSchema>;

/** What a route requires: nothing, any signed-in caller, or one permission. */
export type RouteAccess = 'public' | 'authenticated' | Permission;

/** One entry of ROUTE_POLICIES. */
export interface RoutePolicy {
  method: string;
  path: string;
  access: RouteAccess;
  /**
   * Whether an API key may call an `authenticated` route. Keys act through their scopes: a route that names a
   * permission admits a key whose scopes hold it, and a route that only needs "signed in" refuses keys unless this
   * says otherwise, so that a key with no scopes reaches nothing but what is listed here.
   */
  apiKeys?: boolean;
}

/**
 * What each public route requires, as the gateway enforces it before it forwards a request. The source is each
 * service's declaration beside its route (`...access(...)` from @onasis/http, published in its OpenAPI part as
 * `x-onasis-access`); the gateway keeps this copy so that it refuses a caller without spending a call on the service,
 * and `workers/gateway/test/route-policies.test.ts` proves it equal to those declarations, operation by operation,
 * with no row unused. The first entry whose method and path match wins (`:name` matches one segment, a trailing `*`
 * the rest), so specific paths come first. Paths under `/api/v1` that no entry names need a signed-in caller; the
 * rest of the public surface is open and its services authenticate what they must (webhook signatures, one-time
 * tokens).
 */
export const ROUTE_POLICIES: ReadonlyArray<RoutePolicy> = [
  { method: 'POST', path: '/auth/logout', access: 'authenticated' },
  { method: 'POST', path: '/auth/logout-all', access: 'authenticated' },
  { method: 'POST', path: '/auth/verify-email/resend', access: 'authenticated' },
  { method: '*', path: '/auth/mfa/totp/*', access: 'authenticated' },
  { method: '*', path: '/auth/mfa/recovery-codes', access: 'authenticated' },
  // The one signed-in route open to API keys: whom the key belongs to.
  { method: 'GET', path: '/api/v1/users/me', access: 'authenticated', apiKeys: true },
  { method: '*', path: '/api/v1/users/me', access: 'authenticated' },
  { method: '*', path: '/api/v1/users/me/*', access: 'authenticated' },
  { method: 'GET', path: '/api/v1/users', access: 'users:read' },
  { method: 'GET', path: '/api/v1/users/:id', access: 'users:read' },
  { method: '*', path: '/api/v1/users/:id', access: 'users:write' },
  { method: 'GET', path: '/api/v1/users/:id/*', access: 'users:read' },
  { method: '*', path: '/api/v1/users/:id/*', access: 'users:write' },
  { method: 'GET', path: '/api/v1/roles', access: 'roles:read' },
  { method: 'GET', path: '/api/v1/roles/*', access: 'roles:read' },
  { method: '*', path: '/api/v1/roles', access: 'roles:write' },
  { method: '*', path: '/api/v1/roles/*', access: 'roles:write' },
  { method: 'GET', path: '/api/v1/audit-logs', access: 'audit-logs:read' },
  { method: 'GET', path: '/api/v1/audit-logs/*', access: 'audit-logs:read' },
  { method: '*', path: '/api/v1/signing-keys', access: 'keys:manage' },
  { method: '*', path: '/api/v1/signing-keys/*', access: 'keys:manage' },
  { method: 'GET', path: '/api/v1/jobs', access: 'jobs:read' },
  { method: 'GET', path: '/api/v1/jobs/*', access: 'jobs:read' },
  { method: '*', path: '/api/v1/jobs', access: 'jobs:write' },
  { method: '*', path: '/api/v1/jobs/*', access: 'jobs:write' },
  { method: 'POST', path: '/api/v1/notifications/send', access: 'notifications:send' },
  // A signed token in the link is the credential: a mail client's one-click POST carries no session (RFC 8058).
  { method: '*', path: '/api/v1/notifications/unsubscribe', access: 'public' },
  { method: '*', path: '/api/v1/notifications/templates', access: 'notifications:manage' },
  { method: '*', path: '/api/v1/notifications/templates/*', access: 'notifications:manage' },
  { method: '*', path: '/api/v1/notifications/deliveries', access: 'notifications:manage' },
  { method: '*', path: '/api/v1/notifications/deliveries/*', access: 'notifications:manage' },
  { method: 'GET', path: '/api/v1/notifications/outbox', access: 'notifications:manage' },
  { method: 'GET', path: '/api/v1/payments/intents', access: 'payments:read' },
  { method: 'GET', path: '/api/v1/payments/intents/*', access: 'payments:read' },
  { method: 'POST', path: '/api/v1/payments/intents', access: 'payments:write' },
  { method: 'POST', path: '/api/v1/payments/intents/*', access: 'payments:write' },
  // The sandbox's checkout page: the unguessable session id in the URL is the capability, as in Stripe's own.
  { method: '*', path: '/api/v1/payments/checkout-sessions/:id/sandbox', access: 'public' },
  { method: 'POST', path: '/api/v1/payments/checkout-sessions/:id/sandbox/*', access: 'public' },
  { method: 'GET', path: '/api/v1/payments/checkout-sessions/*', access: 'payments:read' },
  { method: 'POST', path: '/api/v1/payments/checkout-sessions', access: 'payments:write' },
  { method: 'GET', path: '/api/v1/payments/plans', access: 'payments:read' },
  { method: 'GET', path: '/api/v1/payments/subscriptions/*', access: 'payments:read' },
  { method: 'POST', path: '/api/v1/payments/subscriptions', access: 'payments:write' },
  { method: 'POST', path: '/api/v1/payments/subscriptions/*', access: 'payments:write' },
  { method: 'GET', path: '/api/v1/payments/invoices', access: 'payments:read' },
  { method: 'GET', path: '/api/v1/payments/disputes', access: 'payments:manage' },
  { method: '*', path: '/api/v1/payments/disputes/*', access: 'payments:manage' },
  { method: 'GET', path: '/api/v1/payments/ledger', access: 'payments:manage' },
  { method: 'GET', path: '/api/v1/payments/ledger/*', access: 'payments:manage' },
  { method: 'GET', path: '/api/v1/payments/reconciliation-runs', access: 'payments:manage' },
  { method: 'GET', path: '/api/v1/payments/reconciliation-runs/*', access: 'payments:manage' },
  // Capabilities in the URL are the credential: an HMAC-signed download URL, a public link's secret, a one-time
  // upload URL. Each is checked by the files Worker, which answers 403 for a bad signature and 404 for a revoked file.
  { method: 'GET', path: '/api/v1/files/signed/*', access: 'public' },
  { method: 'GET', path: '/api/v1/files/public/*', access: 'public' },
  { method: 'PUT', path: '/api/v1/files/upload-urls/:id', access: 'public' },
  { method: 'POST', path: '/api/v1/files/upload-urls/:id', access: 'public' },
  { method: 'GET', path: '/api/v1/files/stats', access: 'files:manage' },
  { method: 'GET', path: '/api/v1/files', access: 'files:read' },
  { method: 'GET', path: '/api/v1/files/*', access: 'files:read' },
  { method: '*', path: '/api/v1/files', access: 'files:write' },
  { method: '*', path: '/api/v1/files/*', access: 'files:write' },
  { method: 'GET', path: '/api/v1/uploads/*', access: 'files:read' },
  { method: '*', path: '/api/v1/uploads', access: 'files:write' },
  { method: '*', path: '/api/v1/uploads/*', access: 'files:write' },
  // Tracking: a browser's pageview carries no credentials (it comes from any site); a batch carries the site's
  // ingest key, which the analytics Worker checks.
  { method: 'POST', path: '/api/v1/analytics/events', access: 'public' },
  { method: 'POST', path: '/api/v1/analytics/batch', access: 'public' },
  { method: 'GET', path: '/api/v1/analytics/platform', access: 'analytics:manage' },
  { method: 'GET', path: '/api/v1/analytics/sites', access: 'analytics:read' },
  { method: 'GET', path: '/api/v1/analytics/sites/*', access: 'analytics:read' },
  { method: '*', path: '/api/v1/analytics/sites', access: 'analytics:write' },
  { method: '*', path: '/api/v1/analytics/sites/*', access: 'analytics:write' },
  // S3 clients sign each request with an access key (AWS Signature V4), which the files Worker checks.
  { method: '*', path: '/s3', access: 'public' },
  { method: '*', path: '/s3/*', access: 'public' },
  { method: 'GET', path: '/api/v1/overview', access: 'metrics:read' },
  { method: '*', path: '/api/v1/*', access: 'authenticated' },
];

// Split once: the gateway matches every request against these.
const COMPILED = ROUTE_POLICIES.map((p) => ({ ...p, segments: p.path.split('/') }));

/**
 * Whether a path, split on `/`, matches a pattern split the same way: literal segments, `:name` for one non-empty
 * segment, a final `*` for one or more. Shared by every route table (policies, deprecations).
 */
export function segmentsMatch(want: readonly string[], got: readonly string[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] as string;
    if (segment === '*' && i === want.length - 1) return got.length > i && got[i] !== '';
    if (i >= got.length) return false;
    if (segment.startsWith(':')) {
      if (got[i] === '') return false;
    } else if (segment !== got[i]) return false;
  }
  return got.length === want.length;
}

const PUBLIC_ROUTE: RoutePolicy = { method: '*', path: '/*', access: 'public' };

/** The first entry of ROUTE_POLICIES that matches `method path` (a public one when none does). */
export function routePolicyFor(method: string, path: string): RoutePolicy {
  const got = path.split('/');
  for (const policy of COMPILED) {
    if ((policy.method === '*' || policy.method === method) && segmentsMatch(policy.segments, got)) return policy;
  }
  return PUBLIC_ROUTE;
}

/** What `method path` requires, by the first matching entry of ROUTE_POLICIES. */
export function accessFor(method: string, path: string): RouteAccess {
  return routePolicyFor(method, path).access;
}

/**
 * Whether an API key with `scopes` may call `method path`: a route that names a permission needs it among the
 * scopes, an `authenticated` one must list `apiKeys`, a public one is open to anyone.
 */
export function apiKeyMayCall(policy: RoutePolicy, scopes: readonly string[]): boolean {
  if (policy.access === 'public') return true;
  if (policy.access === 'authenticated') return policy.apiKeys === true;
  return scopes.includes(policy.access);
}
