import { createRoute } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { CheckoutIdParams, CheckoutSessionSchema, CreateCheckoutSchema } from '../services/billing-schemas.js';
import { createCheckout } from '../services/checkout-create.js';
import { findCheckout, toCheckoutView } from '../services/checkout-rows.js';
import { problems } from './problems.js';
import { sandboxCheckoutRoutes } from './sandbox-checkout.js';

const createRouteDef = createRoute({
  method: 'post',
  path: '/',
  ...access('payments:write'),
  tags: ['payments'],
  summary: 'Start a hosted checkout',
  description:
    "Mode `payment`: 1–20 `lineItems` in one currency. Mode `subscription`: a `plan` of `GET /plans` (409 while a subscription is live). Send the buyer to `url`: Stripe Checkout, or without credentials the built-in **sandbox**'s page (no money moves). `successUrl`/`cancelUrl` are absolute https URLs. With an `Idempotency-Key`, a retry makes no second session. Needs `payments:write`.",
  request: jsonBody(CreateCheckoutSchema),
  responses: {
    201: jsonResponse(CheckoutSessionSchema, 'The new checkout session'),
    200: jsonResponse(CheckoutSessionSchema, 'The session this Idempotency-Key made'),
    ...problems(400, 401, 403, 409, 502, 503),
  },
});

const getRouteDef = createRoute({
  method: 'get',
  path: '/{id}',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'Get a checkout session',
  description:
    "`status` becomes `complete` once the provider's completion event is applied. Another user's session is a 404 unless the caller has `payments:manage`. Needs `payments:read`.",
  request: { params: CheckoutIdParams },
  responses: { 200: jsonResponse(CheckoutSessionSchema, 'The checkout session'), ...problems(401, 403, 404) },
});

/** Hosted checkout sessions, and the sandbox's checkout page. */
export const checkoutSessions = resourceApp<AppEnv>();

checkoutSessions.openapi(createRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const { row, created } = await createCheckout(c.env, caller, c.req.valid('json'), c.req.header('idempotency-key'));
  return c.json(toCheckoutView(row), created ? 201 : 200);
});

checkoutSessions.openapi(getRouteDef, async (c) => {
  const row = await findCheckout(dbOf(c.env.DB), c.req.valid('param').id, requirePrincipal(c));
  return c.json(toCheckoutView(row), 200);
});

checkoutSessions.route('/', sandboxCheckoutRoutes);
