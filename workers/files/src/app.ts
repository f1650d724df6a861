import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';

/** The files Worker's HTTP surface, served to the gateway through `FilesService.handle`. */
export const app = createServiceApp<AppEnv>('files', {});
