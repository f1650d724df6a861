import { env } from 'cloudflare:workers';
import { app } from '../src/app.js';

/** Runs the gateway app with some bindings or vars replaced, as a deployment with that config would. */
export function fetchWith(overrides: Record<string, unknown>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return Promise.resolve(
    app.fetch(new Request(`http://gateway${path}`, init), { ...env, ...overrides } as unknown as GatewayEnv, ctx),
  );
}

export { problemOf } from '@onasis/testing';
