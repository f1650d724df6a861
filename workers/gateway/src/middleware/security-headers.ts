import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const hardened = secureHeaders({
  crossOriginResourcePolicy: 'cross-origin',
  strictTransportSecurity: 'max-age=63072000; includeSubDomains',
});

/**
 * Security headers on every response. API responses get a deny-all CSP; a handler that serves a page (the docs)
 * sets its own, which is kept.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await hardened(c, async () => {
      await next();
      if (!c.res.headers.has('content-security-policy')) {
        c.res.headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      }
    });
  };
}
