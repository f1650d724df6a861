import { resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { contentRoutes } from './content.js';
import { manageRoutes } from './manage.js';
import { publicLinkRoutes } from './public-links.js';
import { shareRoutes } from './shares.js';
import { signedUrlRoutes } from './signed-url.js';
import { uploadRoutes } from './upload.js';

/** `/api/v1/files`: uploads, the file itself, its content, its signed URLs, shares and public links. */
export const fileRoutes = resourceApp<AppEnv>()
  .route('/', uploadRoutes)
  .route('/', manageRoutes)
  .route('/', contentRoutes)
  .route('/', signedUrlRoutes)
  .route('/', shareRoutes)
  .route('/', publicLinkRoutes);
