import type { MiddlewareHandler } from 'hono';

/**
 * What `secureHeaders({ crossOriginResourcePolicy: 'cross-origin', strictTransportSecurity: '…' })` of hono/secure-headers
 * sets, precomputed: the defaults minus Cross-Origin-Embedder-Policy, which it leaves off.
 */
const HARDENED: ReadonlyArray<readonly [string, string]> = [
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Security headers on every response. API responses get a deny-all CSP; a handler that serves a page (the docs)
 * sets its own, which is kept.
 */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    if (!h.has('content-security-policy')) h.set('content-security-policy', API_CSP);
    for (const [name, value] of HARDENED) h.set(name, value);
    h.delete('X-Powered-By');
  };
}
