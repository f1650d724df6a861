import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { CATEGORIES, CHANNELS } from '@onasis/contracts';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { preferencesOf, setPreferences } from '../services/preferences.js';
import { body, json, problems } from './common.js';

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
  path: '/api/v1/notifications/preferences',
  tags: ['notifications'],
  summary: 'Get my notification preferences',
  description:
    'Every category × channel with its effective value (defaults: on, except marketing, off until opted in).',
  responses: { 200: json(PreferencesSchema, 'Preferences'), ...problems(401) },
});

const putRoute = createRoute({
  method: 'put',
  path: '/api/v1/notifications/preferences',
  tags: ['notifications'],
  summary: 'Change my notification preferences',
  description: 'Changes the listed pairs only. Security messages cannot be turned off (400).',
  request: body(UpdateSchema),
  responses: { 200: json(PreferencesSchema, 'Preferences after the change'), ...problems(400, 401) },
});

/** The caller's own preferences. */
export function preferenceRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    return c.json({ data: await preferencesOf(c.env.DB, userId) }, 200);
  });

  app.openapi(putRoute, async (c) => {
    const { userId } = requirePrincipal(c);
    const { preferences } = c.req.valid('json');
    const errors = preferences.flatMap((p, i) =>
      p.category === 'security' && !p.enabled
        ? [{ path: `body.preferences.${i}.enabled`, message: 'Security messages cannot be turned off.' }]
        : [],
    );
    if (errors.length > 0) throw new AppError('VALIDATION_FAILED', 'The request is not valid; see errors.', { errors });
    await setPreferences(c.env.DB, userId, preferences);
    return c.json({ data: await preferencesOf(c.env.DB, userId) }, 200);
  });
}
