import { createRoute, z } from '@hono/zod-openapi';
import { CATEGORIES, CHANNELS } from '@onasis/contracts';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { preferencesOf, setPreferences } from '../services/preferences.js';
import { problems } from './problems.js';

const PreferenceSchema = z
  .object({ category: z.enum(CATEGORIES), channel: z.enum(CHANNELS), enabled: z.boolean() })
  .openapi('NotificationPreference');
const PreferencesSchema = z.object({ data: z.array(PreferenceSchema) }).openapi('NotificationPreferences');
const UpdateSchema = z
  .object({
    preferences: z
      .array(PreferenceSchema)
      .min(1)
      .max(CATEGORIES.length * CHANNELS.length),
  })
  .strict()
  .openapi('UpdateNotificationPreferences');

const getRoute = createRoute({
  method: 'get',
  path: '/',
  ...access('authenticated'),
  tags: ['notifications'],
  summary: 'Get my notification preferences',
  description:
    'Every category × channel with its effective value (defaults: on, except marketing, off until opted in).',
  responses: { 200: jsonResponse(PreferencesSchema, 'Preferences'), ...problems(401) },
});

const putRoute = createRoute({
  method: 'put',
  path: '/',
  ...access('authenticated'),
  tags: ['notifications'],
  summary: 'Change my notification preferences',
  description: 'Changes the listed pairs only. Security messages cannot be turned off (400).',
  request: jsonBody(UpdateSchema),
  responses: { 200: jsonResponse(PreferencesSchema, 'Preferences after the change'), ...problems(400, 401) },
});

/** `/api/v1/notifications/preferences`: the caller's own preferences. */
export const preferences = resourceApp<AppEnv>();

preferences.openapi(getRoute, async (c) => {
  const { userId } = requirePrincipal(c);
  return c.json({ data: await preferencesOf(dbOf(c.env.DB), userId) }, 200);
});

preferences.openapi(putRoute, async (c) => {
  const { userId } = requirePrincipal(c);
  const { preferences: changes } = c.req.valid('json');
  const errors = changes.flatMap((p, i) =>
    p.category === 'security' && !p.enabled
      ? [{ path: `body.preferences.${i}.enabled`, message: 'Security messages cannot be turned off.' }]
      : [],
  );
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors });
  const db = dbOf(c.env.DB);
  await setPreferences(db, userId, changes);
  return c.json({ data: await preferencesOf(db, userId) }, 200);
});
