import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { toPaymentView } from '../services/payment-rows.js';
import { sandboxAuthenticate } from '../services/sandbox-authenticate.js';
import { problems } from './problems.js';
import { AuthenticateSchema, PaymentIdParams, PaymentSchema } from './schemas.js';

const authenticateRoute = createRoute({
  method: 'post',
  path: '/{id}/sandbox/authenticate',
  ...access('payments:write'),
  tags: ['payments'],
  summary: "SANDBOX: answer a payment's 3-D Secure challenge",
  description:
    "The built-in sandbox's stand-in for a bank's 3-D Secure page (no money moves). `succeed` or `fail` reaches the payment as a sandbox event, applied asynchronously like a webhook: the answer is the payment as it stands, with the event id. Owner only, sandbox payments only (404 otherwise). Needs `payments:write`.",
  request: { params: PaymentIdParams, ...jsonBody(AuthenticateSchema) },
  responses: {
    202: jsonResponse(PaymentSchema.extend({ eventId: z.string() }), 'The event is on its way'),
    ...problems(400, 401, 403, 404, 409),
  },
});

/** The sandbox provider's own pages, mounted under the payment intents. */
export const sandboxRoutes = resourceApp<AppEnv>();

sandboxRoutes.openapi(authenticateRoute, async (c) => {
  const caller = requirePrincipal(c);
  const { payment, eventId } = await sandboxAuthenticate(
    c.env,
    caller,
    c.req.valid('param').id,
    c.req.valid('json').outcome,
  );
  return c.json({ ...toPaymentView(payment, caller.userId), eventId }, 202);
});
