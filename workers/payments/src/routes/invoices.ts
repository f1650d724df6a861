import { createRoute } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { access, createdAtPosition, jsonResponse, pageByCreatedAt, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { InvoiceSchema, UserFilterSchema } from '../services/billing-schemas.js';
import { listInvoices } from '../services/invoice-list.js';
import { toInvoiceView } from '../services/invoice-record.js';
import { problems } from './problems.js';

const listRouteDef = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:read'),
  tags: ['payments'],
  summary: 'List invoices',
  description:
    "The caller's subscription invoices, newest first; with `payments:manage`, everyone's (filter with `userId`). Needs `payments:read`.",
  request: { query: ListQuerySchema.extend(UserFilterSchema.shape) },
  responses: { 200: jsonResponse(listOf(InvoiceSchema), 'One page of invoices'), ...problems(400, 401, 403) },
});

/** Subscription invoices, mirrored from the provider. */
export const invoiceRoutes = resourceApp<AppEnv>();

invoiceRoutes.openapi(listRouteDef, async (c) => {
  const caller = requirePrincipal(c);
  const { limit, cursor, userId } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  const rows = await listInvoices(dbOf(c.env.DB), caller, { userId, after, limit });
  return c.json(pageByCreatedAt(rows, limit, toInvoiceView), 200);
});
