import { createRoute, z } from '@hono/zod-openapi';
import { ListQuerySchema, listOf } from '@onasis/contracts';
import { access, createdAtPosition, jsonResponse, pageByCreatedAt, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { verifyLedger } from '../services/ledger.js';
import { listLedger } from '../services/list-ledger.js';
import { problems } from './problems.js';

const TransactionSchema = z
  .object({
    id: z.string().openapi({ example: 'ltx_3f9c0a1b2c3d4e5f60718293a4b5c6d7' }),
    kind: z.enum(['capture', 'refund', 'dispute', 'dispute_reversal', 'fee']),
    sourceKey: z.string(),
    paymentId: z.string().nullable(),
    refundId: z.string().nullable(),
    currency: z.string(),
    createdAt: z.string(),
    entries: z.array(z.object({ account: z.string(), currency: z.string(), amount: z.number().int() })),
  })
  .openapi('LedgerTransaction');

const VerificationSchema = z
  .object({
    balanced: z.boolean(),
    transactions: z.number().int(),
    entries: z.number().int(),
    unbalanced: z.array(z.object({ transactionId: z.string(), currency: z.string(), sum: z.number() })),
    accounts: z.array(z.object({ account: z.string(), currency: z.string(), balance: z.number() })),
  })
  .openapi('LedgerVerification');

const listRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'List ledger transactions',
  description:
    'Every money movement with its entries (debits positive, credits negative), newest first. Needs `payments:manage`.',
  request: { query: ListQuerySchema },
  responses: { 200: jsonResponse(listOf(TransactionSchema), 'One page of transactions'), ...problems(400, 401, 403) },
});

const verifyRoute = createRoute({
  method: 'get',
  path: '/verify',
  ...access('payments:manage'),
  tags: ['payments'],
  summary: 'Verify the ledger',
  description:
    'Re-adds every entry: each transaction, and the whole ledger, must sum to zero per currency. Needs `payments:manage`.',
  responses: { 200: jsonResponse(VerificationSchema, 'The verification'), ...problems(401, 403) },
});

/** The double-entry ledger, for admins. */
export const ledger = resourceApp<AppEnv>();

ledger.openapi(listRoute, async (c) => {
  const { limit, cursor } = c.req.valid('query');
  const after = cursor === undefined ? undefined : createdAtPosition(cursor);
  return c.json(
    pageByCreatedAt(await listLedger(dbOf(c.env.DB), { after, limit }), limit, (t) => t),
    200,
  );
});

ledger.openapi(verifyRoute, async (c) => c.json(await verifyLedger(dbOf(c.env.DB)), 200));
