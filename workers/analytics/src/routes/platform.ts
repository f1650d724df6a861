import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';

// Stub: written by helper D.
export const platformRoutes = resourceApp<AppEnv>();
