import { env } from 'cloudflare:workers';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { bindingOf } from '../src/services/bindings.js';
import type { PartSource } from '../src/services/openapi.js';

/** One operation of a service's OpenAPI part. */
export interface ServiceOperation {
  service: ServiceName;
  method: string;
  /** The path template as the service documents it (`/api/v1/users/{id}`). */
  template: string;
  /** A request path for the template, each `{param}` replaced by the sample segment `x_1`. */
  path: string;
  operation: Record<string, unknown>;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Every operation of every service, read from the real domain Workers' `openapi()` so that a route a service adds is
 * checked against the gateway's tables the day it lands.
 */
export async function serviceOperations(): Promise<ServiceOperation[]> {
  const parts = await Promise.all(
    SERVICE_NAMES.map(async (name) => [name, await ((() => bindingOf(env, name).openapi()) as PartSource)()] as const),
  );
  return parts.flatMap(([service, part]) =>
    Object.entries(part.paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.has(method))
        .map(([method, operation]) => ({
          service,
          method: method.toUpperCase(),
          template,
          path: template.replace(/\{[^}]+\}/g, 'x_1'),
          operation,
        })),
    ),
  );
}

/** `service: METHOD /template`, for failure messages that name the operation. */
export const labelOf = (op: ServiceOperation) => `${op.service}: ${op.method} ${op.template}`;
