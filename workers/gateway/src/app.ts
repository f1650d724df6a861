import { OpenAPIHono } from '@hono/zod-openapi';
import { answerMethodNotAllowed, notFound, onError, validationHook } from '@onasis/http';
import type { Hono } from 'hono';
import type { AppEnv } from './context.js';
import { authenticate } from './middleware/authenticate.js';
import { bodyGuard } from './middleware/body-guard.js';
import { corsPolicy } from './middleware/cors.js';
import { idempotency } from './middleware/idempotency.js';
import { observe } from './middleware/observe.js';
import { quota } from './middleware/quota.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestContext } from './middleware/request-context.js';
import { responseCache } from './middleware/response-cache.js';
import { securityHeaders } from './middleware/security-headers.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { overviewRoutes } from './routes/overview.js';
import { pageRoutes } from './routes/pages.js';
import { proxyRoutes } from './routes/proxy.js';

/** The gateway: cross-cutting policy, the platform's own endpoints, then the hand-off to domain services. */
export const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

app.use(requestContext());
app.use(observe());
app.use(securityHeaders());
app.use(corsPolicy());
app.use(bodyGuard());
app.use(authenticate());
// After authentication: limits and quotas key by the verified caller, and idempotency records belong to one.
app.use(rateLimit());
app.use(quota());
app.use(idempotency());
app.use(responseCache());

healthRoutes(app);
metricsRoutes(app);
overviewRoutes(app);
docsRoutes(app);
pageRoutes(app);
answerMethodNotAllowed(app as unknown as Hono);
proxyRoutes(app);

app.notFound(notFound);
app.onError(onError);
