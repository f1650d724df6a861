import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { dbOf } from '../db/client.js';
import { confirmPhone, phoneOf, removePhone, requestPhoneVerification } from '../services/phone.js';
import { E164 } from '../services/recipient.js';
import { requireVerifiedEmail } from '../services/verified-owner.js';
import { problems } from './problems.js';

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
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  summary: 'Get my SMS number',
  responses: { 200: jsonResponse(PhoneViewSchema, 'The number'), ...problems(401, 404) },
});
const putPhone = createRoute({
  method: 'put',
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  request: jsonBody(PhoneSchema),
  summary: 'Set my SMS number',
  description:
    'Texts a six-digit code to the number (202); SMS reaches it once the code is confirmed at `/phone/verify`. ' +
    'Setting the number already verified answers 200 and texts nothing. A new code at most once a minute per user ' +
    'and per number (429). Needs a verified email address (403 `EMAIL_NOT_VERIFIED`); a number outside ' +
    '`SMS_ALLOWED_COUNTRIES` is a 400.',
  responses: {
    200: jsonResponse(PhoneViewSchema, 'Already verified'),
    202: jsonResponse(PhoneViewSchema, 'Code sent'),
    ...problems(400, 401, 403, 429),
  },
});
const verifyPhone = createRoute({
  method: 'post',
  path: '/verify',
  ...access('authenticated'),
  tags: TAG,
  request: jsonBody(CodeSchema),
  summary: 'Confirm my SMS number with the texted code',
  description: 'A code works once, for 10 minutes, and dies after five wrong tries (400 `INVALID_TOKEN`).',
  responses: { 200: jsonResponse(PhoneViewSchema, 'Verified'), ...problems(400, 401) },
});
const deletePhone = createRoute({
  method: 'delete',
  path: '/',
  ...access('authenticated'),
  tags: TAG,
  summary: 'Remove my SMS number',
  responses: { 204: { description: 'Removed (or there was none)' }, ...problems(401) },
});

/** `/api/v1/notifications/phone`: the caller's SMS number and its verification. */
export const phone = resourceApp<AppEnv>();

phone.openapi(getPhone, async (c) => {
  const view = await phoneOf(dbOf(c.env.DB), requirePrincipal(c).userId);
  if (!view) throw new AppError('NOT_FOUND', 'No SMS number is set.');
  return c.json(view, 200);
});

phone.openapi(putPhone, async (c) => {
  const { userId } = requirePrincipal(c);
  await requireVerifiedEmail(c.env, userId);
  const { view, sent } = await requestPhoneVerification(c.env, userId, c.req.valid('json').phone);
  return sent ? c.json(view, 202) : c.json(view, 200);
});

phone.openapi(verifyPhone, async (c) => {
  const { userId } = requirePrincipal(c);
  return c.json(await confirmPhone(c.env, userId, c.req.valid('json').code), 200);
});

phone.openapi(deletePhone, async (c) => {
  await removePhone(dbOf(c.env.DB), requirePrincipal(c).userId);
  return c.body(null, 204);
});
