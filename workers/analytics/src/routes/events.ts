import { createRoute } from '@hono/zod-openapi';
import { access, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { jsonOf, parsed } from '../services/request-body.js';
import { expandShortKeys, messagesForPageEvent, PageEventSchema } from '../services/track-page-event.js';
import { problems } from './problems.js';

/** `/api/v1/analytics/events`: the tracking script's (and any Plausible client's) event API. */
export const eventRoutes = resourceApp<AppEnv>();

eventRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags: ['analytics'],
    summary: 'Track an event',
    description:
      'Plausible-compatible (`name`, `url`, `domain`, `referrer`, `props`, `revenue`, or the short `n`, `u`, `d`, `r`, `p`, `$`). The body is JSON sent as `text/plain` (no CORS preflight) or `application/json`. A request without User-Agent, from a bot, or for no known domain is dropped and answered 202 all the same; counted per day. The client IP and User-Agent only feed the visitor hash. A retried request is a second event, as in Plausible: a page view has no id to deduplicate by. Public.',
    ...access('public'),
    request: {
      body: { content: { 'text/plain': { schema: PageEventSchema } }, description: 'Also as `application/json`.' },
    },
    responses: { 202: { description: 'Accepted (or dropped)' }, ...problems(400) },
  }),
  async (c) => {
    const event = parsed(PageEventSchema, expandShortKeys(await jsonOf(c.req.raw)));
    const sender = {
      ip: c.get('clientIp') ?? '',
      userAgent: c.req.header('user-agent') ?? '',
      country: c.get('country'),
    };
    const messages = await messagesForPageEvent(c.env, dbOf(c.env.DB), event, sender);
    // One message is the usual case (one site); an interrupted send loses this hit, which the tracker never resends.
    const [only] = messages;
    if (messages.length === 1 && only) await c.env.ANALYTICS_EVENTS.send(only, { contentType: 'json' });
    else await c.env.ANALYTICS_EVENTS.sendBatch(messages.map((body) => ({ body, contentType: 'json' })));
    return c.body(null, 202);
  },
);
