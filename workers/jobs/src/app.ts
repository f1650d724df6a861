import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { deadLetters } from './routes/dead-letters.js';
import { jobs } from './routes/jobs.js';
import { schedules } from './routes/schedules.js';

/** The jobs Worker's HTTP surface, served to the gateway through `JobsService.handle`. */
export const app = createServiceApp<AppEnv>('jobs', {
  '/api/v1/jobs': jobs,
  '/api/v1/jobs/dead-letters': deadLetters,
  '/api/v1/jobs/schedules': schedules,
});
