import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sandboxProvider } from '../src/providers/sandbox.js';
import type { Provider } from '../src/providers/types.js';
import { deliver } from '../src/services/deliver.js';
import { hasOutbox } from '../src/services/outbox.js';
import { admin, call, principalOf, queuedDeliveries } from './helpers.js';

const via = (primary: Provider) => ({ providers: () => ({ primary }) });

interface Page {
  data: {
    id: string;
    channel: string;
    provider: string | null;
    status: string;
    subject: string | null;
    bodyText: string | null;
  }[];
  nextCursor: string | null;
}

/** One email queued to a fresh address and handed to `provider`; answers the delivery id. */
async function sentEmail(provider: Provider): Promise<string> {
  const [d] = await queuedDeliveries({
    to: `o${crypto.randomUUID().slice(0, 8)}@example.com`,
    template: 'identity.mfa-changed',
    data: { change: 'enabled' },
  });
  if (!d) throw new Error('no delivery');
  expect(await deliver(env, d.id, via(provider))).toEqual({ action: 'ack' });
  return d.id;
}

async function outboxPages(query = ''): Promise<Page['data']> {
  const rows: Page['data'] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams(query);
    q.set('limit', '2');
    if (cursor) q.set('cursor', cursor);
    const res = await call(`/api/v1/notifications/outbox?${q}`, {}, admin);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    rows.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

describe('GET /api/v1/notifications/outbox', () => {
  it('lists what the sandbox caught, with the rendered message, and nothing a real provider sent', async () => {
    const caught = await sentEmail(sandboxProvider('email'));
    const real: Provider = {
      name: 'scripted',
      channel: 'email',
      send: async () => ({ ok: true, providerMessageId: 'pm_real' }),
    };
    const elsewhere = await sentEmail(real);
    const rows = await outboxPages('channel=email');
    const ids = rows.map((r) => r.id);
    expect(ids).toContain(caught);
    expect(ids).not.toContain(elsewhere);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rows.every((r) => r.provider === 'sandbox')).toBe(true);
    // Locally the sandbox is the mail catcher: even a security message shows what it would have said.
    expect(rows.find((r) => r.id === caught)).toMatchObject({
      status: 'sent',
      subject: 'Your two-factor authentication changed',
      bodyText: expect.stringContaining('enabled'),
    });
  });

  it('filters by channel', async () => {
    const email = await sentEmail(sandboxProvider('email'));
    const res = await call('/api/v1/notifications/outbox?channel=sms&limit=100', {}, admin);
    expect(res.status).toBe(200);
    const page = (await res.json()) as Page;
    expect(page.data.map((r) => r.id)).not.toContain(email);
    expect(page.data.every((r) => r.channel === 'sms')).toBe(true);
  });

  it('exists only where the sandbox runs', () => {
    expect(hasOutbox(env.ENVIRONMENT)).toBe(true);
    for (const environment of ['production', 'staging', undefined]) expect(hasOutbox(environment)).toBe(false);
  });

  it('refuses bad input and callers without notifications:manage', async () => {
    const bad = await call('/api/v1/notifications/outbox?channel=pigeon', {}, admin);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'query.channel' }] });
    const member = await call('/api/v1/notifications/outbox', {}, principalOf('usr_outbox_member'));
    expect(member.status).toBe(403);
  });
});
