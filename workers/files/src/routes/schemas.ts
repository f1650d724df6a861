import { z } from '@hono/zod-openapi';

/** A file as the API answers it. */
export const FileSchema = z
  .object({
    id: z.string().openapi({ example: 'fil_01JD3Z7Q8W0000000000000000' }),
    name: z.string(),
    folder: z.string().openapi({ description: "`/`-separated path without leading slash; `''` is the root." }),
    size: z.number().int().openapi({ description: 'Bytes.' }),
    contentType: z.string(),
    sha256: z.string().openapi({ description: 'SHA-256 of the content, hex.' }),
    status: z.enum(['ready', 'trashed']),
    ownerId: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    trashedAt: z.string().nullable(),
  })
  .openapi('File');

/** `{id}` of a file route. */
export const FileIdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
