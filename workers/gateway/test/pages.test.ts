import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { problemOf } from './helpers.js';

describe('static pages', () => {
  it('serves the tracking script with a day of browser caching', async () => {
    const res = await exports.default.fetch('http://gateway/js/script.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toContain('max-age=86400');
    expect(await res.text()).toContain('/api/v1/analytics/events');
  });

  it('serves the dashboard and its sign-in page under a CSP that allows no inline script', async () => {
    for (const path of ['/dashboard', '/dashboard/sign-in']) {
      const res = await exports.default.fetch(`http://gateway${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    }
  });

  it('serves the chart library from its own origin', async () => {
    const res = await exports.default.fetch('http://gateway/dashboard/vendor/uPlot.iife.min.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400');
  });

  it('answers a 404 problem for a file that is not there', async () => {
    for (const path of ['/dashboard/nope.js', '/dashboard/index.html/x', '/js/other.js']) {
      const res = await exports.default.fetch(`http://gateway${path}`);
      expect(res.status, path).toBe(404);
      expect((await problemOf(res)).code).toBe('ROUTE_NOT_FOUND');
    }
  });
});

describe('the tracking endpoint from any site', () => {
  const url = 'http://gateway/api/v1/analytics/events';

  it('answers any origin’s preflight without credentials', async () => {
    const res = await exports.default.fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://customer.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('takes a text/plain JSON body from another origin and grants no credentials', async () => {
    const res = await exports.default.fetch(url, {
      method: 'POST',
      headers: {
        origin: 'https://customer.example',
        'content-type': 'text/plain',
        'user-agent':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
      },
      body: JSON.stringify({ name: 'pageview', url: 'https://unknown.example/', domain: 'unknown.example' }),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('still refuses text/plain on every other JSON route', async () => {
    const res = await exports.default.fetch('http://gateway/api/v1/analytics/batch', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"events":[]}',
    });
    expect(res.status).toBe(415);
    expect((await problemOf(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('grants no CORS to other origins elsewhere', async () => {
    const res = await exports.default.fetch('http://gateway/api/v1/analytics/sites', {
      headers: { origin: 'https://customer.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('revalidation', () => {
  it('answers 304 to a browser whose copy of a page or file is still good', async () => {
    for (const path of ['/dashboard', '/dashboard/dashboard.js', '/js/script.js']) {
      const first = await exports.default.fetch(`http://gateway${path}`);
      const etag = first.headers.get('etag');
      expect(etag, path).toBeTruthy();
      await first.arrayBuffer();
      const again = await exports.default.fetch(`http://gateway${path}`, { headers: { 'if-none-match': etag ?? '' } });
      expect(again.status, path).toBe(304);
    }
  });
});
