import { createServiceApp } from '@onasis/http';
import type { AppEnv } from './context.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { inboxRoutes } from './routes/inbox.js';
import { phoneRoutes } from './routes/phone.js';
import { preferenceRoutes } from './routes/preferences.js';
import { pushTargetRoutes } from './routes/push-targets.js';
import { resendWebhook } from './routes/resend-webhook.js';
import { sendRoutes } from './routes/send.js';
import { templateRoutes } from './routes/templates.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';

/** The notifications Worker's HTTP surface, served to the gateway through `NotificationsService.handle`. */
export const app = createServiceApp<AppEnv>('notifications', (app) => {
  // Fixed paths before the inbox's `/{id}/read`, so that no fixed segment is read as an inbox item id.
  templateRoutes(app);
  deliveryRoutes(app);
  sendRoutes(app);
  preferenceRoutes(app);
  unsubscribeRoutes(app);
  pushTargetRoutes(app);
  phoneRoutes(app);
  inboxRoutes(app);
  app.route('/', resendWebhook);
});
