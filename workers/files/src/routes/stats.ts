import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { storageStats } from '../services/storage-stats.js';
import { problems } from './problems.js';

const bytes = (description: string) => z.number().int().openapi({ description });

const StatsSchema = z
  .object({
    files: z.number().int().openapi({ description: 'Files, trash included.' }),
    blobs: z.number().int().openapi({ description: 'Distinct contents stored.' }),
    bytesLogical: bytes('Sum of file sizes: what users stored.'),
    bytesStored: bytes('Sum of the stored objects: what R2 holds, after deduplication and compression.'),
    bytesSavedByDeduplication: bytes('Logical bytes minus the bytes of each content once.'),
    bytesSavedByCompression: bytes('Bytes of each content once minus the bytes stored.'),
    bytesByStorageClass: z.object({ Standard: z.number().int(), InfrequentAccess: z.number().int() }),
    trash: z.object({ files: z.number().int(), bytes: z.number().int() }),
    topUsers: z
      .array(z.object({ userId: z.string(), files: z.number().int(), bytes: z.number().int() }))
      .openapi({ description: 'The ten users holding the most bytes, trash included.' }),
  })
  .openapi('FileStorageStats');

const statsRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('files:manage'),
  tags: ['files'],
  summary: 'Storage statistics',
  description:
    'Bytes stored, bytes saved by deduplication and by compression, bytes per storage class, the trash and the ' +
    'largest users, across the whole service. Image variants are not counted. Needs `files:manage`.',
  responses: { 200: jsonResponse(StatsSchema, 'The statistics'), ...problems(401, 403) },
});

/** `GET /api/v1/files/stats`: storage across all users, for admins. */
export const statsRoutes = resourceApp<AppEnv>();

statsRoutes.openapi(statsRoute, async (c) => c.json(await storageStats(c.env), 200));
