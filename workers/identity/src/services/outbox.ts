import type { NotificationMessage, PlatformEvent, UserEvent } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import { createLogger } from '@onasis/http';
import { eq, sql } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { outbox } from '../db/schema.js';

type Queued =
  | { queue: 'notifications'; body: NotificationMessage }
  | { queue: 'userEvents'; body: UserEvent }
  | { queue: 'platformEvents'; body: PlatformEvent };

const log = createLogger({ service: 'identity' });

/** The statement that writes an outbox row: it goes into the same `db.batch()` as the change that caused it. */
type OutboxInsert = ReturnType<typeof insertRow>;

/** An outbox row waiting to be sent. */
export interface OutboxItem {
  id: string;
  queue: Queued['queue'];
  body: Queued['body'];
  statement: OutboxInsert;
}

function insertRow(db: D1Database, id: string, message: Queued) {
  return dbOf(db).insert(outbox).values({ id, queue: message.queue, body: message.body });
}

/** Prepares an outbox row for `message`, to be written atomically with the change that causes it. */
export function outboxItem(db: D1Database, message: Queued): OutboxItem {
  const id = newId('obx');
  return { id, ...message, statement: insertRow(db, id, message) };
}

function queueOf(env: IdentityEnv, queue: Queued['queue']): Queue {
  if (queue === 'platformEvents') return env.PLATFORM_EVENTS;
  return queue === 'notifications' ? env.NOTIFICATIONS_QUEUE : env.USER_EVENTS_QUEUE;
}

/**
 * Sends rows that were just committed and deletes each one its queue accepted. A row whose send fails stays for
 * `relayOutbox`; a crash after the send but before the delete sends it twice, which consumers absorb by its
 * idempotency key.
 */
export async function dispatchOutbox(env: IdentityEnv, items: Array<Pick<OutboxItem, 'id' | 'queue' | 'body'>>) {
  const db = dbOf(env.DB);
  await Promise.all(
    items.map(async (item) => {
      try {
        await queueOf(env, item.queue).send(item.body, { contentType: 'json' });
        await db.delete(outbox).where(eq(outbox.id, item.id)).run();
      } catch (err) {
        await db
          .update(outbox)
          .set({ attempts: sql`${outbox.attempts} + 1` })
          .where(eq(outbox.id, item.id))
          .run();
        log.error('outbox send failed', { id: item.id, err: String(err) });
      }
    }),
  );
}

/** Sends every row still in the outbox (oldest first, up to `limit`); run by the maintenance schedule. */
export async function relayOutbox(env: IdentityEnv, limit = 100): Promise<number> {
  const rows = await dbOf(env.DB)
    .select({ id: outbox.id, queue: outbox.queue, body: outbox.body })
    .from(outbox)
    .orderBy(outbox.createdAt)
    .limit(limit)
    .all();
  await dispatchOutbox(
    env,
    rows.map((r) => ({ id: r.id, queue: r.queue, body: r.body as Queued['body'] })),
  );
  return rows.length;
}

/** Drops an outbox row whose batch turned out to change nothing. */
export async function dropOutboxRow(db: D1Database, id: string): Promise<void> {
  await dbOf(db).delete(outbox).where(eq(outbox.id, id)).run();
}

/** An outbox row for a security message (these cannot be turned off by preferences) to a user or an address. */
export function securityNotice(
  db: D1Database,
  notice: { to: string; toAddress?: string; template: string; locale?: string | null; data: Record<string, unknown> },
): OutboxItem {
  return outboxItem(db, {
    queue: 'notifications',
    body: {
      kind: 'notification',
      idempotencyKey: newId('ntf'),
      to: notice.to,
      ...(notice.toAddress ? { toAddress: notice.toAddress } : {}),
      template: notice.template,
      category: 'security',
      ...(notice.locale ? { locale: notice.locale } : {}),
      data: notice.data,
      createdAt: new Date().toISOString(),
    },
  });
}
