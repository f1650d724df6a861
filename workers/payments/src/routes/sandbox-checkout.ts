import { createRoute, z } from '@hono/zod-openapi';
import { access, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { CheckoutIdParams } from '../services/billing-schemas.js';
import { sandboxCheckout, sandboxPay } from '../services/checkout-sandbox.js';
import { problems } from './problems.js';
import { sandboxCheckoutPage } from './sandbox-checkout-page.js';

const redirect = { description: 'To the success or cancel URL', headers: z.object({ location: z.string() }) };

// Public: the unguessable session id in the URL is the capability, as Stripe's own checkout URLs are.
const pageRoute = createRoute({
  method: 'get',
  path: '/{id}/sandbox',
  ...access('public'),
  tags: ['payments'],
  summary: "SANDBOX: a checkout session's payment page",
  description:
    "The built-in sandbox's stand-in for Stripe Checkout (no money moves): the items or plan, the total, Pay and Cancel. Only for sandbox sessions in the local environment; any other id is a 404.",
  request: { params: CheckoutIdParams },
  responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } }, ...problems(404) },
});

const payRoute = createRoute({
  method: 'post',
  path: '/{id}/sandbox/pay',
  ...access('public'),
  tags: ['payments'],
  summary: 'SANDBOX: pay a checkout session',
  description:
    'Completes the session through a sandbox `checkout.session.completed` event, applied asynchronously like a webhook, and redirects (303) to its `successUrl`. Pressing it twice sends one event.',
  request: { params: CheckoutIdParams },
  responses: { 303: redirect, ...problems(404, 409) },
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/{id}/sandbox/cancel',
  ...access('public'),
  tags: ['payments'],
  summary: 'SANDBOX: leave a checkout session',
  description: 'Redirects (303) to its `cancelUrl`; nothing is paid and the session stays open, as with Stripe.',
  request: { params: CheckoutIdParams },
  responses: { 303: redirect, ...problems(404) },
});

/** The sandbox's checkout page and its two buttons, mounted under the checkout sessions. */
export const sandboxCheckoutRoutes = resourceApp<AppEnv>();

sandboxCheckoutRoutes.openapi(pageRoute, async (c) => {
  const row = await sandboxCheckout(c.env, c.req.valid('param').id);
  return sandboxCheckoutPage(row);
});

sandboxCheckoutRoutes.openapi(payRoute, async (c) => {
  await c.req.raw.body?.cancel().catch(() => {});
  const location = await sandboxPay(c.env, c.req.valid('param').id);
  return c.redirect(location, 303);
});

sandboxCheckoutRoutes.openapi(cancelRoute, async (c) => {
  await c.req.raw.body?.cancel().catch(() => {});
  const row = await sandboxCheckout(c.env, c.req.valid('param').id);
  return c.redirect(row.cancelUrl, 303);
});
