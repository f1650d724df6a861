import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import {
  type CallContext,
  type CallInit,
  forwardTo,
  type RecordedMessage,
  recordedMessages,
  waitForRecorded,
} from '@onasis/testing';
import { hashPassword } from '../src/services/password.js';
import { permissionsOf } from '../src/services/users.js';

const forward = forwardTo('identity', () => exports.IdentityService);

/**
 * Sends a request to identity the way the gateway forwards it: over RPC, with the request context and, when given,
 * the verified principal and client IP.
 */
export function call(path: string, init: CallInit = {}, context: CallContext = {}): Promise<Response> {
  return forward(path, init, { ...context, clientIp: context.clientIp ?? '203.0.113.7' });
}

/** A fresh unique email address. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** Inserts a verified, active user with `password` and `roles` straight into D1. */
export async function createUser(
  options: { email?: string; password?: string; roles?: string[]; name?: string; verified?: boolean } = {},
): Promise<{ id: string; email: string; password: string }> {
  const id = newId('usr');
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? 'a perfectly fine passphrase';
  const hash = await hashPassword(password, env.PASSWORD_PEPPER);
  await env.DB.batch([
    env.DB.prepare('INSERT INTO users (id, email, email_verified_at, name, password_hash) VALUES (?, ?, ?, ?, ?)').bind(
      id,
      email,
      options.verified === false ? null : new Date().toISOString(),
      options.name ?? null,
      hash,
    ),
    ...(options.roles ?? ['member']).map((role) =>
      env.DB.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').bind(id, role),
    ),
  ]);
  return { id, email, password };
}

/** The principal the gateway would hand over for `userId` signed in with `sessionId`. */
export async function principalFor(userId: string, sessionId = 'ses_test'): Promise<Principal> {
  return { userId, sessionId, permissions: await permissionsOf(env.DB, userId), via: 'access_token' };
}

type IdentityQueue = 'onasis-notifications' | 'onasis-user-events' | 'onasis-platform-events';

/** Bodies sent to `queue` so far (the test config records every identity queue). */
export function sentTo(queue: IdentityQueue): Promise<RecordedMessage[]> {
  return recordedMessages(queue);
}

/** Waits until `predicate` holds for the messages of `queue` (delivery is asynchronous), and returns them. */
export function waitForMessages(
  queue: IdentityQueue,
  predicate: (messages: RecordedMessage[]) => boolean,
  timeoutMs = 5000,
): Promise<RecordedMessage[]> {
  return waitForRecorded(queue, predicate, timeoutMs);
}

/** The id of the account registered with `email` (register answers only the address, never an id). */
export async function userIdOf(email: string): Promise<string> {
  const row = await env.DB.prepare('SELECT id FROM users WHERE email = ?')
    .bind(email.trim().toLowerCase())
    .first<{ id: string }>();
  if (!row) throw new Error(`no account for ${email}`);
  return row.id;
}
