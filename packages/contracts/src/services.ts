/** The six domain services behind the gateway, in the order health and docs list them. */
export const SERVICE_NAMES = ['identity', 'payments', 'notifications', 'analytics', 'files', 'jobs'] as const;

/** One of the domain services. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Public path prefixes and the service that owns each. The gateway routes by prefix, longest first, so it knows where
 * each service's surface begins and none of its routes: `/api/v1/users/me` goes to identity because of
 * `/api/v1/users`. `workers/gateway/test/route-tables.test.ts` proves that every operation a service documents is
 * routed to it, and that a service with routes owns no prefix it does not serve.
 */
export const ROUTE_OWNERS: ReadonlyArray<{ prefix: string; service: ServiceName }> = [
  { prefix: '/auth', service: 'identity' },
  { prefix: '/.well-known', service: 'identity' },
  { prefix: '/api/v1/users', service: 'identity' },
  { prefix: '/api/v1/roles', service: 'identity' },
  { prefix: '/api/v1/audit-logs', service: 'identity' },
  { prefix: '/api/v1/signing-keys', service: 'identity' },
  { prefix: '/api/v1/payments', service: 'payments' },
  { prefix: '/webhooks/stripe', service: 'payments' },
  { prefix: '/webhooks/paypal', service: 'payments' },
  { prefix: '/webhooks/resend', service: 'notifications' },
  { prefix: '/api/v1/notifications', service: 'notifications' },
  { prefix: '/api/v1/analytics', service: 'analytics' },
  { prefix: '/api/v1/files', service: 'files' },
  { prefix: '/api/v1/uploads', service: 'files' },
  { prefix: '/s3', service: 'files' },
  { prefix: '/api/v1/jobs', service: 'jobs' },
];

/** The service that owns `path`, or null when no prefix matches on a segment boundary. */
export function ownerOf(path: string): ServiceName | null {
  let best: { prefix: string; service: ServiceName } | null = null;
  for (const owner of ROUTE_OWNERS) {
    const matches = path === owner.prefix || path.startsWith(`${owner.prefix}/`);
    if (matches && (best === null || owner.prefix.length > best.prefix.length)) best = owner;
  }
  return best?.service ?? null;
}
