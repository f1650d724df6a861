import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { bindingOf } from '../services/bindings.js';
import { checkHealth, type HealthProbe, type HealthResult } from '../services/check-health.js';
import { breakerStates } from '../services/circuit-breaker.js';
import { metricsAccess } from '../services/metrics-token.js';

/**
 * How old an answer to `/health` may be. Every check fans out to six services and their databases; repeating it for
 * each anonymous caller would make `/health` the cheapest way to load the whole platform.
 */
const HEALTH_CACHE_MS = 5_000;

interface Checked {
  at: number;
  result: Promise<HealthResult>;
}

// Per environment object (one per deployment in an isolate): a configuration with other bindings is another platform.
const lastCheck = new WeakMap<object, Checked>();

/** The latest check when it is at most HEALTH_CACHE_MS old, else a new one; callers meanwhile share one check. */
export function currentHealth(env: GatewayEnv, now: number): Promise<HealthResult> {
  const last = lastCheck.get(env);
  if (last !== undefined && now - last.at < HEALTH_CACHE_MS) return last.result;
  const probes = Object.fromEntries(
    SERVICE_NAMES.map((name) => [name, (): HealthProbe => bindingOf(env, name)]),
  ) as Record<ServiceName, () => HealthProbe>;
  const result = checkHealth(probes, configOf(env).healthTimeoutMs, breakerStates());
  lastCheck.set(env, { at: now, result });
  return result;
}

const ServiceStateSchema = z.enum(['ok', 'degraded', 'error', 'timeout']);
const BreakerStateSchema = z.enum(['closed', 'open', 'half_open']);
const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    services: z.object(
      Object.fromEntries(SERVICE_NAMES.map((s) => [s, ServiceStateSchema])) as Record<
        ServiceName,
        typeof ServiceStateSchema
      >,
    ),
    breakers: z
      .object(
        Object.fromEntries(SERVICE_NAMES.map((s) => [s, BreakerStateSchema])) as Record<
          ServiceName,
          typeof BreakerStateSchema
        >,
      )
      .optional()
      .openapi({
        description:
          "This gateway isolate's circuit breaker for each service (an open one makes the service `degraded` without a call); only with the metrics token.",
      }),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['platform'],
  summary: 'Platform health',
  description:
    "The overall status from a check at most 5 s old (every domain service's `health()` at once, each with a short timeout). With `Authorization: Bearer <METRICS_TOKEN>` (or locally without one) also each service's state and this isolate's circuit breakers.",
  security: [{}, { bearerAuth: [] }],
  responses: {
    200: { description: 'Every service is ok', content: { 'application/json': { schema: HealthSchema } } },
    503: {
      description: 'At least one service failed or timed out',
      content: { 'application/json': { schema: HealthSchema } },
    },
  },
});

/** `GET /health`. */
export function healthRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(health, async (c) => {
    const result = await currentHealth(c.env, Date.now());
    c.header('cache-control', 'no-store');
    const status = result.status === 'ok' ? 200 : 503;
    // Which service is down and which breaker is open tell an attacker where to push; operators have the token.
    if ((await metricsAccess(c.env, c.req.header('authorization'))) !== 'granted')
      return c.json({ status: result.status }, status);
    return c.json(result, status);
  });
}
