import type { PlatformEvent } from '@onasis/contracts';
import { type OutboxItem, outboxItem } from './outbox.js';

/**
 * Business events for the analytics Worker's platform figures, sent through the outbox like identity's other
 * messages. Each id derives from what it is about (the user for a signup, the session for a sign-in), so a row the
 * relay sends twice, or a flow retried, is counted once. Nothing beyond the user id leaves identity.
 */
function platformEvent(db: D1Database, body: PlatformEvent): OutboxItem {
  return outboxItem(db, { queue: 'platformEvents', body });
}

/** `user.registered`, to go in the batch that creates the account. */
export function userRegistered(db: D1Database, userId: string, method: 'password' | 'oauth'): OutboxItem {
  return platformEvent(db, {
    kind: 'platform-event',
    id: `user.registered:${userId}`,
    type: 'user.registered',
    occurredAt: new Date().toISOString(),
    userId,
    data: { method },
  });
}

/** How a session's `method` (`password`, `oauth:<id>`, `<first factor>+mfa`) reads in a `user.signed-in` event. */
export function signInMethodOf(method: string): 'password' | 'mfa' | 'oauth' {
  if (method.endsWith('+mfa')) return 'mfa';
  return method.startsWith('oauth') ? 'oauth' : 'password';
}

/** `user.signed-in` for a session just started. */
export function userSignedIn(db: D1Database, userId: string, sessionId: string, method: string): OutboxItem {
  return platformEvent(db, {
    kind: 'platform-event',
    id: `user.signed-in:${sessionId}`,
    type: 'user.signed-in',
    occurredAt: new Date().toISOString(),
    userId,
    data: { method: signInMethodOf(method) },
  });
}
