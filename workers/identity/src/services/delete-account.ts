import { newId } from '@onasis/contracts';
import { eq } from 'drizzle-orm';
import { dbOf } from '../db/client.js';
import { users } from '../db/schema.js';
import { dispatchOutbox, outboxItem } from './outbox.js';
import { sessionsOf } from './sessions.js';

/**
 * Deletes the account of `userId` and emits `user.deleted`, so that every service erases the user's data, then
 * erases the user's session object. The event is sent through `waitUntil` when given.
 */
export async function deleteAccount(
  env: IdentityEnv,
  userId: string,
  ctx?: Pick<ExecutionContext, 'waitUntil'>,
): Promise<void> {
  const event = outboxItem(env.DB, {
    queue: 'userEvents',
    body: { kind: 'user-event', id: newId('evt'), type: 'user.deleted', userId, occurredAt: new Date().toISOString() },
  });
  const db = dbOf(env.DB);
  // The row and the event commit together; foreign keys remove roles, tokens, factors and links with the row.
  await db.batch([db.delete(users).where(eq(users.id, userId)), event.statement]);
  await sessionsOf(env, userId).erase();
  const sent = dispatchOutbox(env, [event]);
  if (ctx) ctx.waitUntil(sent);
  else await sent;
}
