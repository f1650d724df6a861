import { env } from 'cloudflare:workers';
import { app } from '../src/app.js';

/** Runs the gateway app with some bindings or vars replaced, as a deployment with that config would. */
export function fetchWith(overrides: Record<string, unknown>, path: string, init?: RequestInit): Promise<Response> {
  const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
  return Promise.resolve(
    app.fetch(new Request(`http://gateway${path}`, init), { ...env, ...overrides } as unknown as GatewayEnv, ctx),
  );
}

/** The shape of every error body. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  requestId: string;
  detail?: string;
}

/** Asserts the problem+json envelope and returns the body. */
export async function problemOf(res: Response): Promise<ProblemBody> {
  if (res.headers.get('content-type') !== 'application/problem+json') {
    throw new Error(`expected problem+json, got ${res.headers.get('content-type')}: ${await res.text()}`);
  }
  const body = await res.json<ProblemBody>();
  if (body.requestId !== res.headers.get('x-request-id')) throw new Error('requestId differs from X-Request-Id');
  if (body.status !== res.status) throw new Error(`status ${body.status} differs from HTTP ${res.status}`);
  return body;
}
