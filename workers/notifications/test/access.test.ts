import { exports } from 'cloudflare:workers';
import { accessFor } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { describe, expect, it } from 'vitest';
import { call, principalOf } from './helpers.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

describe('route access', () => {
  it('declares on every operation the access the gateway’s ROUTE_POLICIES give its path', async () => {
    const { paths } = await exports.NotificationsService.openapi();
    const declared: string[] = [];
    const expected: string[] = [];
    for (const [path, item] of Object.entries(paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        const concrete = path.replace(/\{[^}]+\}/g, 'x1');
        declared.push(`${method} ${path} ${String(operation[ACCESS_EXTENSION])}`);
        expected.push(`${method} ${path} ${accessFor(method.toUpperCase(), concrete)}`);
      }
    }
    expect(declared.length).toBeGreaterThan(20);
    expect(declared).toEqual(expected);
  });

  it('routes the fixed paths under /api/v1/notifications to their resource, never to an inbox item', async () => {
    const member = principalOf('usr_access_member');
    // An inbox `/{id}/read` would answer 404 `NOT_FOUND`; the templates resource refuses a member first.
    const preview = await call('/api/v1/notifications/templates/k/preview', { json: {} }, member);
    expect(preview.status).toBe(403);
    const prefs = await call('/api/v1/notifications/preferences', {}, member);
    expect(prefs.status).toBe(200);
  });
});
