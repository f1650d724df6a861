import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ownerOf, problemType, ROUTE_OWNERS, SERVICE_NAMES } from '../src/index.js';

describe('ownerOf', () => {
  it.each([
    ['/auth/login', 'identity'],
    ['/.well-known/jwks.json', 'identity'],
    ['/api/v1/users/me/sessions', 'identity'],
    ['/api/v1/payments/intents', 'payments'],
    ['/webhooks/stripe', 'payments'],
    ['/api/v1/uploads/upl_1', 'files'],
    ['/api/v1/jobs', 'jobs'],
  ])('routes %s to %s', (path, service) => {
    expect(ownerOf(path)).toBe(service);
  });

  it.each(['/', '/health', '/authx', '/api/v1/usersx', '/api/v2/users', '/webhooks'])(
    'finds no owner for %s',
    (path) => {
      expect(ownerOf(path)).toBeNull();
    },
  );

  it('assigns every prefix to a known service', () => {
    for (const { service } of ROUTE_OWNERS) expect(SERVICE_NAMES).toContain(service);
  });
});

describe('error registry', () => {
  it('gives every code a 4xx or 5xx status and a distinct problem type', () => {
    const types = new Set<string>();
    for (const [code, { status }] of Object.entries(ERROR_CODES)) {
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      types.add(problemType(code as keyof typeof ERROR_CODES));
    }
    expect(types.size).toBe(Object.keys(ERROR_CODES).length);
  });
});
