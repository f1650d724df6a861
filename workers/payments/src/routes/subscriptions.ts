import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** A user's subscription to a plan. */
export const subscriptionRoutes = resourceApp<AppEnv>();
