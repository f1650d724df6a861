import { createRoute, z } from '@hono/zod-openapi';
import { NotificationSendSchema } from '@onasis/contracts';
import { AppError, access, jsonBody, jsonResponse, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { sendNotification } from '../services/send.js';
import { DeliverySchema } from './delivery-schema.js';
import { problems } from './problems.js';

const SendResultSchema = z
  .object({
    deliveries: z.array(DeliverySchema),
    enqueued: z
      .number()
      .int()
      .openapi({ description: 'Deliveries this call created; 0 when the key was seen before.' }),
    skipped: z.string().nullable().openapi({ description: 'Why nothing is sent (unknown user, no allowed channel).' }),
  })
  .openapi('NotificationSendResult');

const sendRoute = createRoute({
  method: 'post',
  path: '/',
  ...access('notifications:send'),
  tags: ['notifications'],
  summary: 'Send a notification',
  description:
    'Fans out to the template’s channels (or `channels`) that the recipient’s preferences allow and that have an ' +
    'address. The same `idempotencyKey` answers the same deliveries and sends nothing again (and re-enqueues any whose ' +
    'first enqueue failed). Identity’s templates and `security` templates are a 403: only identity sends them. ' +
    'Needs `notifications:send`.',
  request: jsonBody(NotificationSendSchema),
  responses: { 202: jsonResponse(SendResultSchema, 'Accepted for delivery'), ...problems(400, 401, 403) },
});

/** `/api/v1/notifications/send` for admins: the RPC `send`, over HTTP. */
export const send = resourceApp<AppEnv>();

send.openapi(sendRoute, async (c) => {
  const result = await sendNotification(c.env, { ...c.req.valid('json'), untrusted: true });
  if (!result.ok) {
    const detail = result.errors ? 'The request is not valid; see errors.' : result.error.detail;
    throw new AppError(result.error.code, detail, result.errors ? { errors: result.errors } : {});
  }
  return c.json(result.data, 202);
});
