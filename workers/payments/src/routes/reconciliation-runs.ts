import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** Reconciliation runs, for admins. */
export const reconciliationRuns = resourceApp<AppEnv>();
