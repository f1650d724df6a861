import { createLogger } from '@onasis/http';
import { parseQuotaPlans } from './services/quota-plans.js';

/** Gateway settings read from `[vars]`; see the README's configuration table. */
interface GatewayConfig {
  corsOrigins: ReadonlySet<string>;
  maxBodyBytes: number;
  maxUploadBytes: number;
  healthTimeoutMs: number;
  upstreamTimeoutMs: number;
  /** Monthly request limit by plan (`QUOTA_PLANS`); null is unlimited. */
  quotaPlans: ReadonlyMap<string, number | null>;
}

function positiveInt(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

let cached: { env: GatewayEnv; config: GatewayConfig } | undefined;

/** Parsed settings, computed once per isolate and environment object. */
export function configOf(env: GatewayEnv): GatewayConfig {
  if (cached?.env === env) return cached.config;
  const config: GatewayConfig = {
    corsOrigins: new Set(
      (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
    maxBodyBytes: positiveInt(env.MAX_BODY_BYTES, 1024 * 1024),
    maxUploadBytes: positiveInt(env.MAX_UPLOAD_BYTES, 100 * 1024 * 1024),
    healthTimeoutMs: positiveInt(env.HEALTH_TIMEOUT_MS, 2000),
    upstreamTimeoutMs: positiveInt(env.UPSTREAM_TIMEOUT_MS, 15000),
    quotaPlans: parseQuotaPlans(env.QUOTA_PLANS, (reason) =>
      createLogger({ service: 'gateway' }).error('invalid QUOTA_PLANS; using the defaults', { reason }),
    ),
  };
  cached = { env, config };
  return config;
}

/**
 * Paths that also take an HTML form body: the one-click unsubscribe of RFC 8058, which mail clients POST as
 * `application/x-www-form-urlencoded` (`List-Unsubscribe=One-Click`), as does the confirmation page's button. This
 * and RAW_BODY_PREFIXES live in the gateway because its body guard refuses (415) or bounds (413) a body before any
 * service reads it; `test/route-tables.test.ts` proves that they admit every body type the services document.
 */
export const FORM_BODY_PATHS: ReadonlySet<string> = new Set(['/api/v1/notifications/unsubscribe']);

/**
 * Paths any web page may call from the browser without credentials: the tracking endpoint, which sites embed on their
 * own origins. They answer `Access-Control-Allow-Origin: *` (never with credentials) and take their JSON body as
 * `text/plain` too, the one type a page can send cross-origin without a preflight (as Plausible's script does).
 */
export const OPEN_CORS_PATHS: ReadonlySet<string> = new Set(['/api/v1/analytics/events']);

/** Path prefixes whose bodies are files rather than JSON: they get the upload size limit and any content type. */
const RAW_BODY_PREFIXES = ['/api/v1/uploads', '/api/v1/files', '/s3'] as const;

/** Whether `path` takes a raw (non-JSON) body. */
export function takesRawBody(path: string): boolean {
  return RAW_BODY_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}
