import { type HealthReport, SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { TimeoutError, withTimeout } from './bindings.js';

/** What the gateway saw of one service. */
export type ServiceState = 'ok' | 'degraded' | 'error' | 'timeout';

/** Anything that answers `health()` like a domain entrypoint. */
export interface HealthProbe {
  health(): Promise<HealthReport>;
}

/** Asks every service for its health at once; a probe that fails, reports degraded or outlasts `timeoutMs` marks it. */
export async function checkHealth(
  probes: Record<ServiceName, () => HealthProbe>,
  timeoutMs: number,
): Promise<{ status: 'ok' | 'degraded'; services: Record<ServiceName, ServiceState> }> {
  const states = await Promise.all(
    SERVICE_NAMES.map(async (name): Promise<[ServiceName, ServiceState]> => {
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
  return { status: states.every(([, s]) => s === 'ok') ? 'ok' : 'degraded', services };
}
