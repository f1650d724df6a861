import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { deliveries } from './routes/deliveries.js';
import { inbox } from './routes/inbox.js';
import { outbox } from './routes/outbox.js';
import { phone } from './routes/phone.js';
import { preferences } from './routes/preferences.js';
import { pushTargets } from './routes/push-targets.js';
import { resendWebhook } from './routes/resend-webhook.js';
import { send } from './routes/send.js';
import { templates } from './routes/templates.js';
import { unsubscribe } from './routes/unsubscribe.js';

/** The notifications Worker's HTTP surface, served to the gateway through `NotificationsService.handle`. */
export const app = createServiceApp<AppEnv>('notifications', {
  '/api/v1/notifications': inbox,
  '/api/v1/notifications/templates': templates,
  '/api/v1/notifications/deliveries': deliveries,
  '/api/v1/notifications/outbox': outbox,
  '/api/v1/notifications/send': send,
  '/api/v1/notifications/preferences': preferences,
  '/api/v1/notifications/unsubscribe': unsubscribe,
  '/api/v1/notifications/push-targets': pushTargets,
  '/api/v1/notifications/phone': phone,
  '/webhooks/resend': resendWebhook,
});
