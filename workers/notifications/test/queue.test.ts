import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { NotificationMessage } from '@onasis/contracts';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.js';

function message(idempotencyKey: string): NotificationMessage {
  return {
    kind: 'notification',
    idempotencyKey,
    to: 'usr_1',
    template: 'identity.verify-email',
    category: 'security',
    data: { token: 't0k3n', url: 'http://localhost:8787/verify-email?token=t0k3n' },
    createdAt: new Date().toISOString(),
  };
}

async function deliver(bodies: unknown[]) {
  const batch = createMessageBatch(
    'onasis-notifications',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('notifications queue consumer', () => {
  it('records each message once, however often it is delivered', async () => {
    const result = await deliver([message('ntf_a'), message('ntf_a'), message('ntf_b')]);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1', 'm2']);
    const { results } = await env.DB.prepare('SELECT idempotency_key, provider, data FROM deliveries ORDER BY 1').all<{
      idempotency_key: string;
      provider: string;
      data: string;
    }>();
    expect(results.map((r) => r.idempotency_key)).toEqual(['ntf_a', 'ntf_b']);
    expect(JSON.parse(results[0]?.data ?? '{}')).toMatchObject({ token: 't0k3n' });
    expect(results[0]?.provider).toBe('sandbox');
  });

  it('drops a malformed message instead of retrying it forever', async () => {
    const result = await deliver([{ kind: 'notification', to: 42 }]);
    expect(result.explicitAcks).toEqual(['m0']);
    expect(result.retryMessages).toEqual([]);
  });
});
