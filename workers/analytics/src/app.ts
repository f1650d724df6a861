import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { batchRoutes } from './routes/batch.js';
import { eventRoutes } from './routes/events.js';
import { platformRoutes } from './routes/platform.js';
import { siteRoutes } from './routes/sites.js';
import { statsRoutes } from './routes/stats.js';

/** The analytics Worker's HTTP surface, served to the gateway through `AnalyticsService.handle`. */
export const app = createServiceApp<AppEnv>('analytics', {
  '/api/v1/analytics/sites': siteRoutes,
  '/api/v1/analytics/sites/:id': statsRoutes,
  '/api/v1/analytics/events': eventRoutes,
  '/api/v1/analytics/batch': batchRoutes,
  '/api/v1/analytics/platform': platformRoutes,
});
