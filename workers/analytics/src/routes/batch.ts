import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, resourceApp } from '@onasis/http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import type { Site } from '../db/schema.js';
import { siteForIngestKey } from '../services/site-lookup.js';
import { EventBatchSchema, MAX_BATCH_EVENTS, messagesForBatch, sendRuns } from '../services/track-batch.js';
import { problems } from './problems.js';

// The site the ingest key named, from the key check to the handler of the same request.
const keyedSites = new WeakMap<Request, Site>();

/**
 * Checks the ingest key before the body is validated, so that a caller without one learns nothing about what a
 * valid batch looks like; a refused body is cancelled unread.
 */
const ingestKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const site = token ? await siteForIngestKey(dbOf(c.env.DB), token) : null;
  if (!site) {
    await c.req.raw.body?.cancel().catch(() => {});
    throw new AppError('INVALID_INGEST_KEY', 'Send the site’s ingest key as `Authorization: Bearer`.');
  }
  keyedSites.set(c.req.raw, site);
  await next();
};

/**
 * The end user a server reports for: the first `X-Forwarded-For` address if it passes one (as Plausible's events API
 * reads it), else the server's own address. A server-passed IP cannot be located, so such events have no country.
 */
function senderOf(c: Context<AppEnv>) {
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  return {
    ip: forwarded || (c.get('clientIp') ?? ''),
    userAgent: c.req.header('user-agent') ?? '',
    country: forwarded ? undefined : c.get('country'),
  };
}

/** `/api/v1/analytics/batch`: server-side events of one site, authenticated by its ingest key. */
export const batchRoutes = resourceApp<AppEnv>();

batchRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['analytics'],
    summary: 'Send a batch of server-side events',
    description: `1–${MAX_BATCH_EVENTS} events of the site whose ingest key is the bearer token (\`Authorization: Bearer oak_…\`; otherwise 401 \`INVALID_INGEST_KEY\`). Every event is checked first: one bad event is a 400 naming it (\`events.3.timestamp\`) and nothing is queued. The visitor is hashed from the first \`X-Forwarded-For\` address (else the caller's) and \`User-Agent\`. Events with an \`id\` are stored once however often the batch is sent; events without one count again on a resend. Public (the ingest key is checked here).`,
    ...access('public', { middleware: [ingestKey] }),
    request: {
      headers: z.object({ authorization: z.string().optional().openapi({ example: 'Bearer oak_9c1f…' }) }),
      ...jsonBody(EventBatchSchema),
    },
    responses: {
      202: jsonResponse(z.object({ accepted: z.number().int() }).openapi('EventBatchAccepted'), 'Queued'),
      ...problems(400, 401, 415),
    },
  }),
  async (c) => {
    const site = keyedSites.get(c.req.raw);
    if (!site) throw new AppError('INVALID_INGEST_KEY', 'Send the site’s ingest key as `Authorization: Bearer`.');
    const messages = await messagesForBatch(c.env, site, c.req.valid('json'), senderOf(c));
    // Every event was validated before any is sent. An interrupted send of a very large batch (more than one run)
    // may leave some runs queued: sent again, events with an `id` are still stored once.
    for (const run of sendRuns(messages)) {
      await c.env.ANALYTICS_EVENTS.sendBatch(run.map((body) => ({ body, contentType: 'json' as const })));
    }
    return c.json({ accepted: messages.length }, 202);
  },
);
