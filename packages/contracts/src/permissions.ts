/** Every permission a role can grant; routes declare which one they need. */
export const PERMISSIONS = [
  'users:read',
  'users:write',
  'roles:read',
  'roles:write',
  'audit-logs:read',
  'payments:read',
  'payments:write',
  'notifications:send',
  'notifications:manage',
  'analytics:read',
  'files:read',
  'files:write',
  'jobs:read',
  'jobs:write',
  'metrics:read',
  'keys:manage',
  // Appended, as identity's migration appends it to the seeded admin role: the role lists permissions in this order.
  'payments:manage',
  'files:manage',
  'analytics:write',
  'analytics:manage',
] as const;

/** A permission string. */
export type Permission = (typeof PERMISSIONS)[number];

/** Roles that exist on every installation; their permissions are seeded by identity's migrations. */
export const BUILT_IN_ROLES = {
  admin: { description: 'Full access to every resource and admin endpoint.', permissions: [...PERMISSIONS] },
  member: {
    description: 'A signed-in user acting on their own data.',
    permissions: ['files:read', 'files:write', 'payments:read', 'payments:write', 'analytics:read', 'analytics:write'],
  },
} as const satisfies Record<string, { description: string; permissions: readonly Permission[] }>;
