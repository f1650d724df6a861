import { describe, expect, it } from 'vitest';
import { accessFor, PERMISSIONS, PrincipalSchema, ROUTE_POLICIES } from '../src/index.js';

describe('accessFor', () => {
  it.each([
    ['POST', '/auth/login', 'public'],
    ['POST', '/auth/refresh', 'public'],
    ['GET', '/auth/oauth/google/callback', 'public'],
    ['POST', '/auth/logout', 'authenticated'],
    ['POST', '/auth/mfa/totp/enroll', 'authenticated'],
    ['POST', '/auth/mfa/verify', 'public'],
    ['GET', '/.well-known/jwks.json', 'public'],
    ['GET', '/api/v1/users/me', 'authenticated'],
    ['DELETE', '/api/v1/users/me/sessions/ses_1', 'authenticated'],
    ['GET', '/api/v1/users', 'users:read'],
    ['GET', '/api/v1/users/usr_1', 'users:read'],
    ['PATCH', '/api/v1/users/usr_1', 'users:write'],
    ['PUT', '/api/v1/users/usr_1/roles', 'users:write'],
    ['GET', '/api/v1/roles/admin', 'roles:read'],
    ['DELETE', '/api/v1/roles/editor', 'roles:write'],
    ['GET', '/api/v1/audit-logs/verify', 'audit-logs:read'],
    ['GET', '/api/v1/files/fil_1', 'files:read'],
    ['GET', '/api/v1/files/signed/fil_1', 'public'],
    ['PUT', '/s3/files/a/b.txt', 'public'],
    ['GET', '/api/v1/analytics/sites', 'analytics:read'],
    ['GET', '/api/v1/analytics/sites/sit_1/funnel', 'analytics:read'],
    ['POST', '/api/v1/analytics/sites', 'analytics:write'],
    ['DELETE', '/api/v1/analytics/sites/sit_1', 'analytics:write'],
    ['GET', '/api/v1/analytics/platform', 'analytics:manage'],
    ['POST', '/api/v1/analytics/events', 'public'],
    ['POST', '/api/v1/analytics/batch', 'public'],
    ['GET', '/api/v1/analytics/events', 'authenticated'],
    ['POST', '/webhooks/stripe', 'public'],
  ])('%s %s needs %s', (method, path, access) => {
    expect(accessFor(method, path)).toBe(access);
  });

  it('does not let an empty segment stand for a parameter', () => {
    expect(accessFor('GET', '/api/v1/users/')).toBe('authenticated');
    expect(accessFor('PATCH', '/api/v1/users//roles')).toBe('authenticated');
  });

  it('names only declared permissions', () => {
    const declared = new Set<string>(PERMISSIONS);
    for (const policy of ROUTE_POLICIES) {
      if (policy.access !== 'public' && policy.access !== 'authenticated')
        expect(declared.has(policy.access)).toBe(true);
    }
  });
});

describe('PrincipalSchema', () => {
  it('accepts what the gateway hands over and refuses a malformed one', () => {
    const principal = { userId: 'usr_1', sessionId: 'ses_1', permissions: ['users:read'], via: 'access_token' };
    expect(PrincipalSchema.parse(principal)).toEqual(principal);
    expect(PrincipalSchema.safeParse({ ...principal, permissions: 'users:read' }).success).toBe(false);
  });
});
