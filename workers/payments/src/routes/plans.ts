import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { PlanSchema } from '../services/billing-schemas.js';
import { plansOf, toPlanView } from '../services/plans.js';
import { problems } from './problems.js';

const listRouteDef = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'List the plans',
  description:
    'What users can subscribe to (`PAYMENT_PLANS`): id, name, price in minor units and interval. Provider price ids are not shown. Needs `payments:read`.',
  responses: { 200: jsonResponse(z.object({ data: z.array(PlanSchema) }), 'Every plan'), ...problems(401, 403) },
});

/** The plans users can subscribe to (PAYMENT_PLANS). */
export const plans = resourceApp<AppEnv>();

plans.openapi(listRouteDef, (c) => c.json({ data: [...plansOf(c.env).values()].map(toPlanView) }, 200));
