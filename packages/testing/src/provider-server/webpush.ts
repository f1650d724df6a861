import { createDecipheriv, createECDH, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import { importJWK, jwtVerify } from 'jose';
import { type Answer, type Incoming, json } from './http.js';
import type { Namespace } from './state.js';
import type { TestPushSubscription } from './types.js';

/** A subscription as a browser creates it: a P-256 key pair and an auth secret, the private half kept here. */
export function createSubscription(ns: Namespace, base: string): TestPushSubscription {
  const ecdh = createECDH('prime256v1');
  const publicKey = ecdh.generateKeys();
  const auth = randomBytes(16);
  const id = randomUUID();
  ns.subscriptions.set(id, { privateKey: ecdh.getPrivateKey(), publicKey, auth });
  return {
    endpoint: `${base}/push/${id}`,
    keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') },
  };
}

const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) =>
  Buffer.from(hkdfSync('sha256', ikm, salt, info, length));

/** RFC 8291 decryption of a single-record aes128gcm body, as the user agent does it. */
function decrypt(body: Buffer, sub: { privateKey: Buffer; publicKey: Buffer; auth: Buffer }): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(sub.privateKey);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, senderKey]);
  const ikm = hkdf(sub.auth, shared, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The plaintext ends at the last 0x02 delimiter; zero padding follows it.
  const end = padded.lastIndexOf(2);
  if (end < 0) throw new Error('no padding delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** The VAPID `Authorization: vapid t=<jwt>, k=<public key>` header verified (RFC 8292), or why not. */
async function verifyVapid(incoming: Incoming) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(incoming.headers.authorization ?? '');
  if (!match?.[1] || !match[2]) throw new Error('no vapid authorization');
  const point = Buffer.from(match[2], 'base64url');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    'ES256',
  );
  // The sender signs for the push service's https origin (its loopback stand-in is reached over http).
  const audience = `https://${incoming.headers.host}`;
  const { payload } = await jwtVerify(match[1], key, {
    algorithms: ['ES256'],
    audience,
    requiredClaims: ['exp', 'sub'],
  });
  return { subject: payload.sub, audience: payload.aud, publicKey: match[2] };
}

/** A push service's `POST /push/{id}`: 201 for a known subscription, 410 Gone for an unknown or expired one. */
export async function pushMessage(
  incoming: Incoming,
  ns: Namespace,
  id: string,
): Promise<{ answer: Answer; decrypted?: string; vapid?: Awaited<ReturnType<typeof verifyVapid>> }> {
  let vapid: Awaited<ReturnType<typeof verifyVapid>>;
  try {
    vapid = await verifyVapid(incoming);
  } catch (err) {
    return { answer: json(401, { reason: `VAPID: ${String(err)}` }) };
  }
  const sub = ns.subscriptions.get(id);
  if (!sub) return { answer: { status: 410, body: 'push subscription has unsubscribed or expired.' } };
  if (incoming.headers['content-encoding'] !== 'aes128gcm' || !incoming.headers.ttl) {
    return { answer: json(400, { reason: 'Content-Encoding aes128gcm and TTL are required' }), vapid };
  }
  let decrypted: string;
  try {
    decrypted = decrypt(incoming.raw, sub);
  } catch (err) {
    return { answer: json(400, { reason: `cannot decrypt: ${String(err)}` }), vapid };
  }
  const location = `${incoming.base}/push/${id}/messages/${randomUUID()}`;
  return { answer: { status: 201, body: '', headers: { location } }, decrypted, vapid };
}
