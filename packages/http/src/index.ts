import './context.js';

export { AppError, type FieldError } from './app-error.js';
export { DomainEntrypoint, d1Check, type OpenApiPart, runHealthChecks } from './domain-entrypoint.js';
export { type Db, dbOf } from './drizzle-client.js';
export { afterCreatedAt } from './keyset.js';
export { createLogger, type LogFields, type Logger } from './logger.js';
export { answerMethodNotAllowed } from './method-not-allowed.js';
export { notFound, onError } from './on-error.js';
export { requirePermission, requirePrincipal } from './principal.js';
export { PROBLEM_CONTENT_TYPE, problemResponse } from './problem.js';
export {
  ACCESS_EXTENSION,
  API_KEYS_EXTENSION,
  access,
  createdAtPosition,
  decodeCursor,
  encodeCursor,
  jsonBody,
  jsonResponse,
  needs,
  pageByCreatedAt,
  pageOf,
  problemCatalog,
  refusing,
} from './route-kit.js';
export { endpointTemplate } from './route-template.js';
export { createServiceApp, resourceApp, serveForwarded } from './service-app.js';
export { nextTraceparent, requestIdFrom, traceIdOf } from './trace.js';
export { validationHook } from './validation.js';
