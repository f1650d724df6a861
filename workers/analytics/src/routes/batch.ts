import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

// Stub: written by helper A.
export const batchRoutes = resourceApp<AppEnv>();
