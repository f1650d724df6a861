import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';

/** The jobs Worker's HTTP surface, served to the gateway through `JobsService.handle`. */
export const app = createServiceApp<AppEnv>('jobs', () => {});
