import { z } from '@hono/zod-openapi';
import { CHANNELS } from '@onasis/contracts';

/** A delivery in the API; subject and bodies are only kept for sandbox deliveries. */
export const DeliverySchema = z
  .object({
    id: z.string().openapi({ example: 'dlv_3f9c0a1b2c3d4e5f60718293' }),
    recipient: z.string(),
    address: z.string().nullable(),
    channel: z.enum(CHANNELS),
    template: z.string(),
    templateVersion: z.number().int().nullable(),
    locale: z.string().nullable(),
    category: z.string().nullable(),
    status: z.enum(['queued', 'sending', 'sent', 'delivered', 'failed', 'bounced']),
    provider: z.string().nullable(),
    providerMessageId: z.string().nullable(),
    error: z.string().nullable(),
    attempts: z.number().int(),
    idempotencyKey: z.string(),
    subject: z.string().nullable(),
    bodyText: z.string().nullable(),
    bodyHtml: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string().nullable(),
    sentAt: z.string().nullable(),
  })
  .openapi('NotificationDelivery');
