import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** PayPal's webhook: verified, stored once, applied by the queue consumer. */
export const paypalWebhook = resourceApp<AppEnv>();
