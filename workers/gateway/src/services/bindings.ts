import type { ServiceName } from '@onasis/contracts';

const BINDING_OF = {
  identity: 'IDENTITY',
  payments: 'PAYMENTS',
  notifications: 'NOTIFICATIONS',
  analytics: 'ANALYTICS',
  files: 'FILES',
  jobs: 'JOBS',
} as const satisfies Record<ServiceName, keyof GatewayEnv>;

/** The service binding of a domain Worker; a missing one is a deployment mistake, not a client's. */
export function bindingOf<S extends ServiceName>(
  env: GatewayEnv,
  service: S,
): NonNullable<GatewayEnv[(typeof BINDING_OF)[S]]> {
  const binding = env[BINDING_OF[service]];
  if (!binding) throw new Error(`service binding ${BINDING_OF[service]} is not configured`);
  return binding as NonNullable<GatewayEnv[(typeof BINDING_OF)[S]]>;
}

/** Thrown by `withTimeout` when the deadline passes first. */
export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Settles with `promise`, or rejects with `TimeoutError` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
