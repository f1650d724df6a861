import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** The invoices of a user's subscriptions. */
export const invoiceRoutes = resourceApp<AppEnv>();
