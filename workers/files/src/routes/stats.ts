import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

/** Not built yet. */
export const statsRoutes = resourceApp<AppEnv>();
