import { createRoute } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { CreateSubscriptionSchema, SubscriptionSchema, UserFilterSchema } from '../services/billing-schemas.js';
import { cancelSubscription } from '../services/subscription-cancel.js';
import { createSubscription } from '../services/subscription-create.js';
import { currentSubscription, toSubscriptionView } from '../services/subscription-rows.js';
import { problems } from './problems.js';

const createRouteDef = createRoute({
  method: 'post',
  path: '/',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Subscribe to a plan',
  description:
    "With the **sandbox** the subscription is active at once (its first invoice paid, no money moving); with Stripe it is `incomplete` until its first invoice is paid with `clientSecret`. While it is active the user's plan is this one (the gateway's quota follows at the next token refresh). A second live subscription is a 409. Needs `payments:write`.",
  request: jsonBody(CreateSubscriptionSchema),
  responses: {
    201: jsonResponse(SubscriptionSchema, 'The new subscription'),
    200: jsonResponse(SubscriptionSchema, 'The subscription this Idempotency-Key made'),
    ...problems(400, 401, 402, 403, 409, 502, 503),
  },
});

const meRouteDef = createRoute({
  method: 'get',
  path: '/me',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'Get my subscription',
  description:
    "The live subscription, else the last one that ended; 404 when there never was one. With `payments:manage`, `userId` reads another user's. Needs `payments:read`.",
  request: { query: UserFilterSchema },
  responses: { 200: jsonResponse(SubscriptionSchema, 'The subscription'), ...problems(401, 403, 404) },
});

const cancelRouteDef = createRoute({
  method: 'post',
  path: '/me/cancel',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Cancel my subscription at the end of its period',
  description:
    'The plan is kept until `currentPeriodEnd`; then the subscription is `canceled` and the user is back on `free`. Canceling again answers the same. 404 without a live subscription. Needs `payments:write`.',
  responses: {
    200: jsonResponse(SubscriptionSchema, 'The subscription, set to cancel'),
    ...problems(401, 403, 404, 502),
  },
});

/** The caller's subscription to a plan: subscribe, read, cancel at period end. */
export const subscriptionRoutes = resourceApp<AppEnv>();

subscriptionRoutes.openapi(createRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const { plan } = c.req.valid('json');
  const { row, created, clientSecret } = await createSubscription(c.env, caller, plan, c.req.header('idempotency-key'));
  return c.json(toSubscriptionView(row, clientSecret), created ? 201 : 200);
});

subscriptionRoutes.openapi(meRouteDef, async (c) => {
  const row = await currentSubscription(dbOf(c.env.DB), requirePrincipal(c), c.req.valid('query').userId);
  return c.json(toSubscriptionView(row), 200);
});

subscriptionRoutes.openapi(cancelRouteDef, async (c) => {
  await c.req.raw.body?.cancel().catch(() => {});
  const row = await cancelSubscription(c.env, requirePrincipal(c));
  return c.json(toSubscriptionView(row), 200);
});
