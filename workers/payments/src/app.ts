import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { intents } from './routes/intents.js';
import { ledger } from './routes/ledger.js';
import { stripeWebhook } from './routes/webhooks.js';

/** The payments Worker's HTTP surface, served to the gateway through `PaymentsService.handle`. */
export const app = createServiceApp<AppEnv>('payments', {
  '/api/v1/payments/intents': intents,
  '/api/v1/payments/ledger': ledger,
  '/webhooks/stripe': stripeWebhook,
});
