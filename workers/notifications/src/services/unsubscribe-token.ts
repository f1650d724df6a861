import { CATEGORIES, type Category, CHANNELS, type Channel } from '@onasis/contracts';

/** What a one-click unsubscribe link turns off. */
export interface UnsubscribeClaim {
  userId: string;
  category: Category;
  channel: Channel;
  issuedAt: string;
}

const encoder = new TextEncoder();
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const fromB64url = (s: string) =>
  Uint8Array.from(atob(s.replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));

const keyOf = (secret: string) =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

/** `<payload>.<HMAC-SHA256 of payload>`, both base64url; the payload names user, category, channel and issue time. */
export async function signUnsubscribe(secret: string, claim: UnsubscribeClaim): Promise<string> {
  const payload = b64url(encoder.encode(JSON.stringify([claim.userId, claim.category, claim.channel, claim.issuedAt])));
  const mac = await crypto.subtle.sign('HMAC', await keyOf(secret), encoder.encode(payload));
  return `${payload}.${b64url(new Uint8Array(mac))}`;
}

/** The claim of a token this Worker signed, or null for anything else (tampered, truncated, another key). */
export async function verifyUnsubscribe(secret: string, token: string): Promise<UnsubscribeClaim | null> {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined) return null;
  try {
    // verify() compares in constant time.
    const ok = await crypto.subtle.verify('HMAC', await keyOf(secret), fromB64url(mac), encoder.encode(payload));
    if (!ok) return null;
    const [userId, category, channel, issuedAt] = JSON.parse(new TextDecoder().decode(fromB64url(payload)));
    if (typeof userId !== 'string' || typeof issuedAt !== 'string') return null;
    if (!CATEGORIES.includes(category) || !CHANNELS.includes(channel)) return null;
    return { userId, category, channel, issuedAt };
  } catch {
    return null;
  }
}

/** The link a marketing email carries, and the RFC 8058 headers that let a mail client use it in one click. */
export async function unsubscribeLink(env: NotificationsEnv, userId: string, category: Category) {
  const token = await signUnsubscribe(env.UNSUBSCRIBE_SIGNING_KEY, {
    userId,
    category,
    channel: 'email',
    issuedAt: new Date().toISOString(),
  });
  const url = `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/notifications/unsubscribe?token=${encodeURIComponent(token)}`;
  return {
    url,
    headers: { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  };
}
