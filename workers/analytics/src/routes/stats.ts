import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

// Stub: written by helper C.
export const statsRoutes = resourceApp<AppEnv>();
