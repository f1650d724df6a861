import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { jobIdRoutes, jobRoutes } from './routes/jobs.js';
import { operationRoutes } from './routes/operations.js';

/** The jobs Worker's HTTP surface, served to the gateway through `JobsService.handle`. */
export const app = createServiceApp<AppEnv>('jobs', (app) => {
  jobRoutes(app);
  // Fixed paths first: `/dead-letters` and `/schedules` would otherwise match `/{id}`.
  operationRoutes(app);
  jobIdRoutes(app);
});
