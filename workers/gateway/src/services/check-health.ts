import { type HealthReport, SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { TimeoutError, withTimeout } from './bindings.js';
import type { BreakerState } from './circuit-breaker.js';

/** What the gateway saw of one service. */
type ServiceState = 'ok' | 'degraded' | 'error' | 'timeout';

/** Anything that answers `health()` like a domain entrypoint. */
export interface HealthProbe {
  health(): Promise<HealthReport>;
}

export interface HealthResult {
  status: 'ok' | 'degraded';
  services: Record<ServiceName, ServiceState>;
  breakers: Record<ServiceName, BreakerState>;
}

/**
 * Asks every service for its health at once; a probe that fails, reports degraded or outlasts `timeoutMs` marks it.
 * A service whose breaker is open is reported degraded without being asked: this isolate refuses its traffic
 * whatever `health()` would say, and a service that keeps failing is spared the call. A half-open breaker does not
 * skip the check, but the check does not close it either: only real traffic does, since `health()` succeeding says
 * little about `handle()`.
 */
export async function checkHealth(
  probes: Record<ServiceName, () => HealthProbe>,
  timeoutMs: number,
  breakers: Record<ServiceName, BreakerState>,
): Promise<HealthResult> {
  const states = await Promise.all(
    SERVICE_NAMES.map(async (name): Promise<[ServiceName, ServiceState]> => {
      if (breakers[name] === 'open') return [name, 'degraded'];
      try {
        const report = await withTimeout(
          Promise.resolve().then(() => probes[name]().health()),
          timeoutMs,
        );
        return [name, report.status === 'ok' ? 'ok' : 'degraded'];
      } catch (err) {
        return [name, err instanceof TimeoutError ? 'timeout' : 'error'];
      }
    }),
  );
  const services = Object.fromEntries(states) as Record<ServiceName, ServiceState>;
  return { status: states.every(([, s]) => s === 'ok') ? 'ok' : 'degraded', services, breakers };
}
