import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { configOf } from '../config.js';
import type { AppEnv } from '../context.js';
import { bindingOf } from '../services/bindings.js';
import { checkHealth, type HealthProbe } from '../services/check-health.js';
import { breakerStates } from '../services/circuit-breaker.js';

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
      .openapi({
        description:
          "This gateway isolate's circuit breaker for each service. An open one makes the service `degraded` without a call.",
      }),
  })
  .openapi('Health');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['platform'],
  summary: 'Platform health',
  description:
    "Calls every domain service's `health()` at once, each with a short timeout, and shows this isolate's circuit breaker for each.",
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
    const probes = Object.fromEntries(
      SERVICE_NAMES.map((name) => [name, (): HealthProbe => bindingOf(c.env, name)]),
    ) as Record<ServiceName, () => HealthProbe>;
    const result = await checkHealth(probes, configOf(c.env).healthTimeoutMs, breakerStates());
    c.header('cache-control', 'no-store');
    return c.json(result, result.status === 'ok' ? 200 : 503);
  });
}
