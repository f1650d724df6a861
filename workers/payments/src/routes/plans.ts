import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** The plans users can subscribe to (PAYMENT_PLANS). */
export const plans = resourceApp<AppEnv>();
