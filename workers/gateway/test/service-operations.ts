import { env } from 'cloudflare:workers';
import { SERVICE_NAMES, type ServiceName } from '@onasis/contracts';
import { ACCESS_EXTENSION } from '@onasis/http';
import { app } from '../src/app.js';
import { bindingOf } from '../src/services/bindings.js';
import type { PartSource } from '../src/services/openapi.js';

/** One operation of a service's OpenAPI part. */
export interface ServiceOperation {
  service: ServiceName | 'gateway';
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
  return parts.flatMap(([service, part]) => operationsOf(service, part.paths));
}

/** The gateway's own API operations that declare their access as a service's do (`/api/v1/overview`). */
export function gatewayOperations(): ServiceOperation[] {
  const document = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'gateway', version: '0' } });
  return operationsOf('gateway', document.paths ?? {}).filter(
    (op) => typeof op.operation[ACCESS_EXTENSION] === 'string',
  );
}

function operationsOf(service: ServiceOperation['service'], paths: object): ServiceOperation[] {
  return Object.entries(paths as Record<string, Record<string, Record<string, unknown>>>).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.has(method))
      .map(([method, operation]) => ({
        service,
        method: method.toUpperCase(),
        template,
        path: template.replace(/\{[^}]+\}/g, 'x_1'),
        operation,
      })),
  );
}

/** `service: METHOD /template`, for failure messages that name the operation. */
export const labelOf = (op: ServiceOperation) => `${op.service}: ${op.method} ${op.template}`;
