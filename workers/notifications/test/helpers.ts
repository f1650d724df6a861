import { env, exports } from 'cloudflare:workers';
import { newId, type Permission, type Principal } from '@onasis/contracts';
import { type CallInit, forwardTo } from '@onasis/testing';
import type { DeliveryMessage } from '../src/services/deliveries.js';
import { type SendRequest, sendNotification } from '../src/services/send.js';

declare global {
  namespace Cloudflare {
    interface Env {
      /** Identity's database, which the real identity Worker beside this one reads (see vitest.config.ts). */
      IDENTITY_DB: D1Database;
    }
  }
}

const forward = forwardTo('notifications', () => exports.NotificationsService);

/** A request forwarded the way the gateway does it: over RPC, with the verified principal. */
export function call(path: string, init: CallInit = {}, principal?: Principal): Promise<Response> {
  return forward(path, init, { principal });
}

/** The principal of a signed-in user holding `permissions`. */
export function principalOf(userId: string, permissions: Permission[] = []): Principal {
  return { userId, sessionId: 'ses_test', permissions, via: 'access_token' };
}

/** An admin who may send and manage notifications. */
export const admin = principalOf('usr_admin', ['notifications:send', 'notifications:manage']);

/** A fresh active user in identity's database, which `contactOf` answers from. */
export async function createUser(options: { locale?: string; name?: string; status?: string } = {}) {
  const id = newId('usr');
  const email = `${id}@example.com`;
  await env.IDENTITY_DB.prepare(
    'INSERT INTO users (id, email, email_verified_at, name, status, locale) VALUES (?, ?, ?, ?, ?, ?)',
  )
    .bind(id, email, new Date().toISOString(), options.name ?? null, options.status ?? 'active', options.locale ?? null)
    .run();
  return { id, email };
}

/** A queue that records what would be sent and sends nothing, so that no consumer acts on the rows meanwhile. */
export function recordingQueue() {
  const sent: DeliveryMessage[] = [];
  return {
    sent,
    async sendBatch(messages: Iterable<MessageSendRequest<DeliveryMessage>>) {
      for (const m of messages) sent.push(m.body);
    },
  };
}

/** Fans `req` out without enqueueing, and answers its rows. */
export async function queuedDeliveries(req: Partial<SendRequest> & Pick<SendRequest, 'to' | 'template'>) {
  const result = await sendNotification(
    env,
    { data: {}, idempotencyKey: `k_${crypto.randomUUID()}`, ...req },
    recordingQueue(),
  );
  if (!result.ok) throw new Error(result.error.detail);
  return result.data.deliveries;
}

export { eventually } from '@onasis/testing';

/** Publishes a custom template through the admin API. */
export async function createTemplate(body: Record<string, unknown>) {
  const res = await call('/api/v1/notifications/templates', { json: body }, admin);
  if (res.status !== 201) throw new Error(`template not created: ${res.status} ${await res.text()}`);
  return res.json();
}
