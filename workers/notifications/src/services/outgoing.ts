import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { pushTargets } from '../db/schema.js';
import type { OutgoingMessage, PushTarget } from '../providers/types.js';
import type { DeliveryRow } from './deliveries.js';

/** The message a provider is handed for a delivery row; null when the row has nowhere to go. */
export function outgoing(
  env: NotificationsEnv,
  row: DeliveryRow,
  target: PushTarget | undefined,
): OutgoingMessage | null {
  const text = row.bodyText ?? '';
  switch (row.channel) {
    case 'email':
      if (!row.address) return null;
      return {
        channel: 'email',
        to: row.address,
        from: env.EMAIL_FROM,
        subject: row.subject ?? '',
        text,
        html: row.bodyHtml ?? '',
        ...(row.headers ? { headers: row.headers } : {}),
        idempotencyKey: row.id,
        tags: { category: row.category ?? 'none' },
      };
    case 'sms':
      return row.address ? { channel: 'sms', to: row.address, body: text, idempotencyKey: row.id } : null;
    case 'push':
      if (!target) return null;
      return {
        channel: 'push',
        target,
        title: row.subject ?? '',
        body: text,
        data: { deliveryId: row.id, template: row.template },
        idempotencyKey: row.id,
      };
    case 'chat':
      return { channel: 'chat', text, idempotencyKey: row.id };
    default:
      return null;
  }
}

/** The push target of a push delivery, if it still exists. */
export async function pushTargetOf(db: Db, row: DeliveryRow): Promise<PushTarget | undefined> {
  if (row.channel !== 'push' || !row.pushTargetId) return undefined;
  const [t] = await db.select().from(pushTargets).where(eq(pushTargets.id, row.pushTargetId));
  if (!t) return undefined;
  if (t.kind === 'fcm') return { kind: 'fcm', token: t.address };
  return { kind: 'webpush', endpoint: t.address, keys: { p256dh: t.p256dh ?? '', auth: t.auth ?? '' } };
}
