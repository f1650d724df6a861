import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** Disputes (chargebacks), for admins. */
export const disputeRoutes = resourceApp<AppEnv>();
