import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { fileRoutes } from './routes/files.js';
import { publicRoutes } from './routes/public.js';
import { s3Routes } from './routes/s3.js';
import { s3KeyRoutes } from './routes/s3-keys.js';
import { signedRoutes } from './routes/signed.js';
import { statsRoutes } from './routes/stats.js';
import { uploadUrlRoutes } from './routes/upload-urls.js';
import { tusRoutes } from './routes/uploads.js';
import { usageRoutes } from './routes/usage.js';

/** The files Worker's HTTP surface, served to the gateway through `FilesService.handle`. */
export const app = createServiceApp<AppEnv>('files', {
  '/api/v1/files': fileRoutes,
  '/api/v1/files/usage': usageRoutes,
  '/api/v1/files/stats': statsRoutes,
  '/api/v1/files/upload-urls': uploadUrlRoutes,
  '/api/v1/files/signed': signedRoutes,
  '/api/v1/files/public': publicRoutes,
  '/api/v1/files/s3-keys': s3KeyRoutes,
  '/api/v1/uploads': tusRoutes,
  '/s3': s3Routes,
});
