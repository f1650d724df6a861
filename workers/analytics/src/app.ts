import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';

/** The analytics Worker's HTTP surface, served to the gateway through `AnalyticsService.handle`. */
export const app = createServiceApp<AppEnv>('analytics', {});
