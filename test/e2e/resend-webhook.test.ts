import { Webhook } from 'standardwebhooks';
import { describe, expect, inject, it } from 'vitest';
import { queryLocal } from '../../scripts/platform.mjs';
import { api, expectProblem } from './support/http.js';
import { adminToken, bearer } from './support/identity.js';

/** A Resend event as Resend sends it: Svix headers over the exact body, signed with the Standard Webhooks library. */
function signed(event: unknown, secret = inject('resendWebhookSecret')): RequestInit {
  const body = JSON.stringify(event);
  const id = `msg_${crypto.randomUUID()}`;
  const at = new Date();
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
      'svix-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

describe('Resend delivery webhooks through the gateway', () => {
  it('moves a sent email to bounced with the reason, and refuses a forged event', async () => {
    const emailId = crypto.randomUUID();
    const deliveryId = `dlv_${crypto.randomUUID().replaceAll('-', '')}`;
    // A delivery Resend accepted (the suite's platform has no Resend key, so it is written as the send would).
    await queryLocal(
      inject('persistTo'),
      'notifications',
      `INSERT INTO deliveries (id, idempotency_key, recipient, channel, template, status, provider, provider_message_id)
       VALUES ('${deliveryId}', '${deliveryId}:email', 'ada@example.com', 'email', 'identity.verify-email', 'sent', 'resend', '${emailId}')`,
    );
    const event = {
      type: 'email.bounced',
      created_at: new Date().toISOString(),
      data: { email_id: emailId, to: ['ada@example.com'], bounce: { message: 'Mailbox does not exist' } },
    };
    await expectProblem(
      await api('/webhooks/resend', signed(event, `whsec_${btoa('not the secret of this platform')}`)),
      401,
      'UNAUTHENTICATED',
    );
    const res = await api('/webhooks/resend', signed(event));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, updated: true });

    const delivery = await api(`/api/v1/notifications/deliveries/${deliveryId}`, {
      headers: bearer(await adminToken()),
    });
    expect(await delivery.json()).toMatchObject({
      status: 'bounced',
      error: expect.stringContaining('Mailbox does not exist'),
    });
  });
});
