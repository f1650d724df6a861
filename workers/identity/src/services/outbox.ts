import type { NotificationMessage, UserEvent } from '@onasis/contracts';
import { newId } from '@onasis/contracts';

type Queued = { queue: 'notifications'; body: NotificationMessage } | { queue: 'userEvents'; body: UserEvent };

/** An outbox row waiting to be sent; `statement` goes into the same `batch()` as the change that caused it. */
export interface OutboxItem {
  id: string;
  queue: Queued['queue'];
  body: Queued['body'];
  statement: D1PreparedStatement;
}

/** Prepares an outbox row for `message`, to be written atomically with the change that causes it. */
export function outboxItem(db: D1Database, message: Queued): OutboxItem {
  const id = newId('obx');
  return {
    id,
    ...message,
    statement: db
      .prepare('INSERT INTO outbox (id, queue, body) VALUES (?, ?, ?)')
      .bind(id, message.queue, JSON.stringify(message.body)),
  };
}

function queueOf(env: IdentityEnv, queue: Queued['queue']): Queue {
  return queue === 'notifications' ? env.NOTIFICATIONS_QUEUE : env.USER_EVENTS_QUEUE;
}

/**
 * Sends rows that were just committed and deletes each one its queue accepted. A row whose send fails stays for
 * `relayOutbox`; a crash after the send but before the delete sends it twice, which consumers absorb by its
 * idempotency key.
 */
export async function dispatchOutbox(env: IdentityEnv, items: Array<Pick<OutboxItem, 'id' | 'queue' | 'body'>>) {
  await Promise.all(
    items.map(async (item) => {
      try {
        await queueOf(env, item.queue).send(item.body, { contentType: 'json' });
        await env.DB.prepare('DELETE FROM outbox WHERE id = ?').bind(item.id).run();
      } catch (err) {
        await env.DB.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?').bind(item.id).run();
        console.error(JSON.stringify({ level: 'error', msg: 'outbox send failed', id: item.id, err: String(err) }));
      }
    }),
  );
}

/** Sends every row still in the outbox (oldest first, up to `limit`); run by the maintenance schedule. */
export async function relayOutbox(env: IdentityEnv, limit = 100): Promise<number> {
  const { results } = await env.DB.prepare('SELECT id, queue, body FROM outbox ORDER BY created_at LIMIT ?')
    .bind(limit)
    .all<{ id: string; queue: Queued['queue']; body: string }>();
  await dispatchOutbox(
    env,
    results.map((r) => ({ id: r.id, queue: r.queue, body: JSON.parse(r.body) })),
  );
  return results.length;
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
