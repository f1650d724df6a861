import { env } from 'cloudflare:workers';
import { providerNamespace } from '@onasis/testing/provider-server/client';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { fcmProvider } from '../src/providers/fcm.js';
import { ServiceAccountSchema } from '../src/providers/fcm-token.js';
import type { OutgoingPush, PushTarget } from '../src/providers/types.js';
import { webPushProvider } from '../src/providers/webpush.js';

const server = () => providerNamespace(env.TEST_PROVIDER_SERVER_URL);

const push = (target: PushTarget): OutgoingPush => ({
  channel: 'push',
  target,
  title: 'New sign-in',
  body: 'Firefox on Linux signed in to your account',
  data: { url: '/settings/security' },
  idempotencyKey: `dlv_${crypto.randomUUID()}`,
});

async function fcmFor(ns: ReturnType<typeof server>) {
  const serviceAccount = ServiceAccountSchema.parse(await ns.serviceAccount('onasis-test'));
  return fcmProvider({ serviceAccount, baseUrl: ns.base });
}

describe('fcm provider', () => {
  it('exchanges a signed JWT for a token once and sends both messages with it', async () => {
    const ns = server();
    const fcm = await fcmFor(ns);
    const first = await fcm.send(push({ kind: 'fcm', token: 'device-1' }));
    const second = await fcm.send(push({ kind: 'fcm', token: 'device-2' }));
    expect(first).toEqual({ ok: true, providerMessageId: expect.stringMatching(/^projects\/onasis-test\/messages\//) });
    expect(second.ok).toBe(true);
    const exchanges = await ns.received('google-oauth');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]?.status).toBe(200);
    expect(exchanges[0]?.body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' });
    const token = (exchanges[0]?.response as { access_token?: string } | undefined)?.access_token;
    expect(token).toMatch(/^ya29\./);
    const sends = await ns.received('fcm');
    expect(sends.map((s) => s.headers.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
    expect(sends[0]?.path).toBe('/v1/projects/onasis-test/messages:send');
    expect(sends[0]?.body).toEqual({
      message: {
        token: 'device-1',
        notification: { title: 'New sign-in', body: 'Firefox on Linux signed in to your account' },
        data: { url: '/settings/security' },
      },
    });
  });

  it('marks an unregistered token gone and retries a 503', async () => {
    const ns = server();
    const fcm = await fcmFor(ns);
    expect(await fcm.send(push({ kind: 'fcm', token: 'gone-device' }))).toEqual({
      ok: false,
      permanent: true,
      gone: true,
      error: 'fcm 404 UNREGISTERED: Requested entity was not found.',
    });
    await ns.script('fcm', [
      {
        status: 503,
        headers: { 'retry-after': '10' },
        body: { error: { code: 503, message: 'The service is currently unavailable.', status: 'UNAVAILABLE' } },
      },
    ]);
    expect(await fcm.send(push({ kind: 'fcm', token: 'device-1' }))).toMatchObject({
      ok: false,
      permanent: false,
      retryAfterSeconds: 10,
    });
  });

  it('drops a token FCM refuses and exchanges a new one on the next send', async () => {
    const ns = server();
    const fcm = await fcmFor(ns);
    expect((await fcm.send(push({ kind: 'fcm', token: 'device-1' }))).ok).toBe(true);
    await ns.script('fcm', [
      {
        status: 401,
        body: {
          error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
        },
      },
    ]);
    expect(await fcm.send(push({ kind: 'fcm', token: 'device-1' }))).toMatchObject({ ok: false, permanent: false });
    expect((await fcm.send(push({ kind: 'fcm', token: 'device-1' }))).ok).toBe(true);
    expect(await ns.received('google-oauth')).toHaveLength(2);
  });

  it('fails permanently when Google refuses the assertion', async () => {
    const ns = server();
    const issued = await ns.serviceAccount('onasis-test');
    // A key the server never issued for this account: the assertion's signature does not verify.
    const other = await server().serviceAccount('onasis-test');
    const serviceAccount = ServiceAccountSchema.parse({ ...issued, private_key: other.private_key });
    const outcome = await fcmProvider({ serviceAccount, baseUrl: ns.base }).send(push({ kind: 'fcm', token: 'd' }));
    expect(outcome).toMatchObject({
      ok: false,
      permanent: true,
      error: expect.stringContaining('fcm token 400 invalid_grant'),
    });
    expect(await ns.received('fcm')).toHaveLength(0);
  });
});

/** A VAPID key pair as `web-push generate-vapid-keys` prints it: the raw public point and the private scalar. */
async function vapidKeys() {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = (await crypto.subtle.exportKey('jwk', pair.privateKey)) as JsonWebKey;
  const point = new Uint8Array([4, ...base64url.decode(jwk.x ?? ''), ...base64url.decode(jwk.y ?? '')]);
  return { publicKey: base64url.encode(point), privateKey: jwk.d ?? '', subject: 'mailto:ops@onasis.test' };
}

describe('web push provider', () => {
  it('sends a VAPID-signed aes128gcm message that the subscription’s key decrypts', async () => {
    const ns = server();
    const vapid = await vapidKeys();
    const webpush = webPushProvider({ ...vapid, allowLoopback: true });
    const subscription = await ns.pushSubscription();
    const outcome = await webpush.send(push({ kind: 'webpush', ...subscription }));
    expect(outcome).toEqual({ ok: true, providerMessageId: expect.stringContaining('/messages/') });
    const [request] = await ns.received('webpush');
    expect(request?.status).toBe(201);
    expect(request?.headers).toMatchObject({ 'content-encoding': 'aes128gcm', ttl: '86400', urgency: 'normal' });
    expect(request?.vapid).toMatchObject({ subject: 'mailto:ops@onasis.test', publicKey: vapid.publicKey });
    expect(JSON.parse(request?.decrypted ?? '')).toEqual({
      title: 'New sign-in',
      body: 'Firefox on Linux signed in to your account',
      data: { url: '/settings/security' },
    });
  });

  it('marks an expired subscription gone and refuses plain-http endpoints unless loopback is allowed', async () => {
    const ns = server();
    const vapid = await vapidKeys();
    const subscription = await ns.pushSubscription();
    const expired = { ...subscription, endpoint: `${ns.base}/push/expired-subscription` };
    expect(
      await webPushProvider({ ...vapid, allowLoopback: true }).send(push({ kind: 'webpush', ...expired })),
    ).toMatchObject({
      ok: false,
      permanent: true,
      gone: true,
    });
    const strict = await webPushProvider(vapid).send(push({ kind: 'webpush', ...subscription }));
    expect(strict).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('not https') });
    expect(await ns.received('webpush')).toHaveLength(1);
  });

  it('retries a push service’s 429 after the time it asks', async () => {
    const ns = server();
    const subscription = await ns.pushSubscription();
    await ns.script('webpush', [{ status: 429, headers: { 'retry-after': '60' }, body: 'slow down' }]);
    const outcome = await webPushProvider({ ...(await vapidKeys()), allowLoopback: true }).send(
      push({ kind: 'webpush', ...subscription }),
    );
    expect(outcome).toEqual({ ok: false, permanent: false, retryAfterSeconds: 60, error: 'webpush 429 slow down' });
  });
});
