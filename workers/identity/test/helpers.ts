import { env, exports } from 'cloudflare:workers';
import type { Principal } from '@onasis/contracts';
import { newId } from '@onasis/contracts';
import { hashPassword } from '../src/services/password.js';
import { permissionsOf } from '../src/services/users.js';

export const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/**
 * Sends a request to identity the way the gateway forwards it: over RPC, with the request context and, when given,
 * the verified principal and client IP.
 */
export function call(
  path: string,
  init: RequestInit & { json?: unknown } = {},
  context: { principal?: Principal; clientIp?: string; requestId?: string } = {},
): Promise<Response> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('content-type', 'application/json');
  const request = new Request(`http://identity${path}`, {
    ...rest,
    method: rest.method ?? (json === undefined ? 'GET' : 'POST'),
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
  return exports.IdentityService.handle(request, {
    requestId: context.requestId ?? `req_${crypto.randomUUID().replaceAll('-', '')}`,
    traceparent: TRACEPARENT,
    principal: context.principal,
    clientIp: context.clientIp ?? '203.0.113.7',
  });
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

/** Bodies sent to `queue` so far (the test config records both identity queues). */
export async function sentTo(queue: 'onasis-notifications' | 'onasis-user-events'): Promise<Record<string, unknown>[]> {
  const recorder = (env as unknown as { QUEUE_RECORDER: Fetcher }).QUEUE_RECORDER;
  const res = await recorder.fetch(`http://recorder/?queue=${queue}`);
  return res.json();
}

/** Waits until `predicate` holds for the messages of `queue` (delivery is asynchronous), and returns them. */
export async function waitForMessages(
  queue: 'onasis-notifications' | 'onasis-user-events',
  predicate: (messages: Record<string, unknown>[]) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const messages = await sentTo(queue);
    if (predicate(messages)) return messages;
    if (Date.now() > deadline) throw new Error(`no matching message on ${queue}: ${JSON.stringify(messages)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The id of the account registered with `email` (register answers only the address, never an id). */
export async function userIdOf(email: string): Promise<string> {
  const row = await env.DB.prepare('SELECT id FROM users WHERE email = ?')
    .bind(email.trim().toLowerCase())
    .first<{ id: string }>();
  if (!row) throw new Error(`no account for ${email}`);
  return row.id;
}
