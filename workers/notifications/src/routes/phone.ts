import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError, requirePrincipal } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { confirmPhone, phoneOf, requestPhoneVerification } from '../services/phone.js';
import { E164 } from '../services/recipient.js';
import { requireVerifiedEmail } from '../services/verified-owner.js';
import { body, json, problems } from './common.js';

const TAG = ['notifications'];

const PhoneSchema = z
  .object({ phone: z.string().regex(E164, 'An E.164 number, e.g. +14155550123') })
  .strict()
  .openapi('SetPhone');
const PhoneViewSchema = z.object({ phone: z.string(), verified: z.boolean() }).openapi('Phone');
const CodeSchema = z
  .object({ code: z.string().regex(/^\d{6}$/, 'The six digits of the texted code') })
  .strict()
  .openapi('ConfirmPhone');

const getPhone = createRoute({
  method: 'get',
  path: '/api/v1/notifications/phone',
  tags: TAG,
  summary: 'Get my SMS number',
  responses: { 200: json(PhoneViewSchema, 'The number'), ...problems(401, 404) },
});
const putPhone = createRoute({
  method: 'put',
  path: '/api/v1/notifications/phone',
  tags: TAG,
  request: body(PhoneSchema),
  summary: 'Set my SMS number',
  description:
    'Texts a six-digit code to the number (202); SMS reaches it once the code is confirmed at `/phone/verify`. ' +
    'Setting the number already verified answers 200 and texts nothing. A new code at most once a minute per user ' +
    'and per number (429). Needs a verified email address (403 `EMAIL_NOT_VERIFIED`); a number outside ' +
    '`SMS_ALLOWED_COUNTRIES` is a 400.',
  responses: {
    200: json(PhoneViewSchema, 'Already verified'),
    202: json(PhoneViewSchema, 'Code sent'),
    ...problems(400, 401, 403, 429),
  },
});
const verifyPhone = createRoute({
  method: 'post',
  path: '/api/v1/notifications/phone/verify',
  tags: TAG,
  request: body(CodeSchema),
  summary: 'Confirm my SMS number with the texted code',
  description: 'A code works once, for 10 minutes, and dies after five wrong tries (400 `INVALID_TOKEN`).',
  responses: { 200: json(PhoneViewSchema, 'Verified'), ...problems(400, 401) },
});
const deletePhone = createRoute({
  method: 'delete',
  path: '/api/v1/notifications/phone',
  tags: TAG,
  summary: 'Remove my SMS number',
  responses: { 204: { description: 'Removed (or there was none)' }, ...problems(401) },
});

/** The caller's SMS number and its verification. */
export function phoneRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(getPhone, async (c) => {
    const view = await phoneOf(c.env.DB, requirePrincipal(c).userId);
    if (!view) throw new AppError('NOT_FOUND', 'No SMS number is set.');
    return c.json(view, 200);
  });

  app.openapi(putPhone, async (c) => {
    const { userId } = requirePrincipal(c);
    const { phone } = c.req.valid('json');
    await requireVerifiedEmail(c.env, userId);
    const { view, sent } = await requestPhoneVerification(c.env, userId, phone);
    return sent ? c.json(view, 202) : c.json(view, 200);
  });

  app.openapi(verifyPhone, async (c) => {
    const { userId } = requirePrincipal(c);
    return c.json(await confirmPhone(c.env, userId, c.req.valid('json').code), 200);
  });

  app.openapi(deletePhone, async (c) => {
    const { userId } = requirePrincipal(c);
    await c.env.DB.prepare('DELETE FROM phone_numbers WHERE user_id = ?').bind(userId).run();
    return c.body(null, 204);
  });
}
