import { z } from '@hono/zod-openapi';

const bytes = { '*/*': { schema: z.string().openapi({ format: 'binary' }) } };

/** The OpenAPI answers every content route shares: whole, one range, or not modified. */
export const contentResponses = {
  200: {
    description:
      'The content, with `ETag`, `Last-Modified`, `Accept-Ranges: bytes`, `Content-Disposition`, `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`',
    content: bytes,
  },
  206: { description: 'One range of the content, with `Content-Range`', content: bytes },
  304: { description: 'The copy the client holds (`If-None-Match`) is current' },
};

/** `download` of a content query: `true` answers an attachment whatever the type. */
export const DownloadQuery = z.object({
  download: z.enum(['true', 'false']).optional().openapi({ description: '`true`: always an attachment.' }),
});

/**
 * The Worker's execution context of a request. Hono types it by its own narrower interface; at run time it is
 * workerd's, which services that pass it on (to `waitUntil` reads and variants) are typed against.
 */
export const executionContextOf = (c: { executionCtx: unknown }) => c.executionCtx as ExecutionContext;
