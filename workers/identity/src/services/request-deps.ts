import type { Context } from 'hono';
import type { AppEnv } from '../context.js';
import { type AuditEvent, audit } from './audit.js';

/** What a flow needs of the request it runs for: the Worker's bindings, and the audit log in the request's name. */
export interface RequestDeps {
  env: IdentityEnv;
  audit: (event: AuditEvent) => Promise<void>;
}

/** The deps of a flow run for request `c`: audited with its ip, user agent and request id. */
export function requestDeps(c: Context<AppEnv>): RequestDeps {
  return { env: c.env, audit: (event) => audit(c, event) };
}
