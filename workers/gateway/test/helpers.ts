import { env } from 'cloudflare:workers';
import { app } from '../src/app.js';

const background: Promise<unknown>[] = [];

/**
 * Runs the gateway app with some bindings or vars replaced, as a deployment with that config would. What it hands to
 * `waitUntil` is kept, for `settleBackground` to await.
 */
export function fetchWith(overrides: Record<string, unknown>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = {
    waitUntil: (promise: Promise<unknown>) => background.push(promise),
    passThroughOnException() {},
    props: {},
  } as unknown as ExecutionContext;
  return Promise.resolve(
    app.fetch(new Request(`http://gateway${path}`, init), { ...env, ...overrides } as unknown as GatewayEnv, ctx),
  );
}

/** Waits for the work earlier `fetchWith` calls left to `waitUntil`, so that none outlives its test. */
export async function settleBackground(): Promise<void> {
  await Promise.allSettled(background.splice(0));
}

export { problemOf } from '@onasis/testing';

/**
 * Waits, when needed, until the clock is at least `marginMs` away from the end of a `windowMs` window. Sliding-window
 * limiters align windows to the clock, and one that turned over during a test would rightly admit more than the
 * test counts on.
 */
export async function awayFromWindowEdge(windowMs: number, marginMs = 3000): Promise<void> {
  const left = windowMs - (Date.now() % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}
