import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** Hosted checkout sessions, and the sandbox's checkout page. */
export const checkoutSessions = resourceApp<AppEnv>();
