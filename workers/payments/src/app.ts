import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { checkoutSessions } from './routes/checkout-sessions.js';
import { disputeRoutes } from './routes/disputes.js';
import { intents } from './routes/intents.js';
import { invoiceRoutes } from './routes/invoices.js';
import { ledger } from './routes/ledger.js';
import { paypalWebhook } from './routes/paypal-webhook.js';
import { plans } from './routes/plans.js';
import { reconciliationRuns } from './routes/reconciliation-runs.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { stripeWebhook } from './routes/webhooks.js';

/** The payments Worker's HTTP surface, served to the gateway through `PaymentsService.handle`. */
export const app = createServiceApp<AppEnv>('payments', {
  '/api/v1/payments/intents': intents,
  '/api/v1/payments/checkout-sessions': checkoutSessions,
  '/api/v1/payments/plans': plans,
  '/api/v1/payments/subscriptions': subscriptionRoutes,
  '/api/v1/payments/invoices': invoiceRoutes,
  '/api/v1/payments/disputes': disputeRoutes,
  '/api/v1/payments/ledger': ledger,
  '/api/v1/payments/reconciliation-runs': reconciliationRuns,
  '/webhooks/stripe': stripeWebhook,
  '/webhooks/paypal': paypalWebhook,
});
