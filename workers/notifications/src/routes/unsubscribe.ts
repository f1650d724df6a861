import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { setPreferences } from '../services/preferences.js';
import { verifyUnsubscribe } from '../services/unsubscribe-token.js';
import { problems } from './problems.js';

const TokenQuery = z.object({ token: z.string().min(1).max(1000) });

const confirmRoute = createRoute({
  method: 'get',
  path: '/',
  // The signed token in the link is the credential: a mail client's one-click POST carries no session (RFC 8058).
  ...access('public'),
  tags: ['notifications'],
  summary: 'Unsubscribe page',
  description:
    'A page with a button that unsubscribes. It changes nothing itself: link scanners in mail systems follow links.',
  request: { query: TokenQuery },
  responses: {
    200: { description: 'The confirmation page', content: { 'text/html': { schema: z.string() } } },
    ...problems(400),
  },
});

const unsubscribeRoute = createRoute({
  method: 'post',
  path: '/',
  ...access('public'),
  tags: ['notifications'],
  summary: 'One-click unsubscribe (RFC 8058)',
  description: 'Turns the token’s category off on its channel. Public: the signed token is the credential.',
  request: { query: TokenQuery },
  responses: {
    200: jsonResponse(
      z.object({ unsubscribed: z.literal(true), category: z.string(), channel: z.string() }),
      'Unsubscribed',
    ),
    ...problems(400),
  },
});

async function claimOf(env: NotificationsEnv, token: string) {
  const claim = await verifyUnsubscribe(env.UNSUBSCRIBE_SIGNING_KEY, token);
  if (!claim) throw new AppError('INVALID_TOKEN', 'This unsubscribe link is not valid.');
  return claim;
}

const escapeAttr = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** `/api/v1/notifications/unsubscribe`: the unsubscribe link of marketing email, a confirm page on GET, the change on POST. */
export const unsubscribe = resourceApp<AppEnv>();

unsubscribe.openapi(confirmRoute, async (c) => {
  const { token } = c.req.valid('query');
  const claim = await claimOf(c.env, token);
  return c.html(
    `<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body style="font-family:system-ui,sans-serif">` +
      `<h1>Unsubscribe</h1><p>Stop receiving ${escapeAttr(claim.category)} messages by ${escapeAttr(claim.channel)}?</p>` +
      `<form method="post" action="?token=${escapeAttr(encodeURIComponent(token))}"><button type="submit">Unsubscribe</button></form>` +
      '</body></html>',
    200,
  );
});

// Repeating it (mail clients may POST twice) leaves the preference off, as the first time.
unsubscribe.openapi(unsubscribeRoute, async (c) => {
  const claim = await claimOf(c.env, c.req.valid('query').token);
  if (claim.category === 'security') throw new AppError('INVALID_TOKEN', 'Security messages cannot be turned off.');
  await c.req.raw.body?.cancel().catch(() => {});
  await setPreferences(dbOf(c.env.DB), claim.userId, [
    { category: claim.category, channel: claim.channel, enabled: false },
  ]);
  return c.json({ unsubscribed: true as const, category: claim.category, channel: claim.channel }, 200);
});
