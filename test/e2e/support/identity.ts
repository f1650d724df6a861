// Accounts for the end-to-end suite: registration through the API, and the emails identity asked the notifications
// Worker to send, read from its sandbox deliveries through the admin API.
import { expect } from 'vitest';
import { api } from './http.js';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

/** A fresh address for this run. */
export function uniqueEmail(label = 'e2e'): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** JSON request options. */
export function jsonRequest(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Authorization header of an access token. */
export function bearer(accessToken: string): Record<string, string> {
  return { authorization: `Bearer ${accessToken}` };
}

/** An email as the sandbox recorded it, and the link in it that the user would follow. */
export interface SandboxEmail {
  subject: string;
  text: string;
  html: string;
  /** The first link of the text body, and its `token` parameter. */
  link: URL;
  token: string;
}

/**
 * The newest sandbox email of `template` to `recipient` (a user id, or the address it went to), once
 * there are more than `after` of them: read as an operator would, from `GET /api/v1/notifications/deliveries`,
 * which shows the rendered subject and bodies of sandbox deliveries.
 */
export async function emailTo(recipient: string, template: string, after = 0): Promise<SandboxEmail> {
  const token = await adminToken();
  const query = new URLSearchParams({
    [recipient.startsWith('usr_') ? 'recipient' : 'address']: recipient,
    template,
    channel: 'email',
    limit: '100',
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await api(`/api/v1/notifications/deliveries?${query}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    // Newest first; only finished deliveries have been handed to the (sandbox) provider.
    const sent = ((await res.json()) as { data: Delivery[] }).data.filter((d) => d.status === 'sent');
    const newest = sent[0];
    if (sent.length > after && newest) {
      expect(newest.provider).toBe('sandbox');
      const text = newest.bodyText ?? '';
      const href = text.match(/https?:\/\/\S+/)?.[0];
      if (!href) throw new Error(`no link in the ${template} email: ${text}`);
      const link = new URL(href);
      return {
        subject: newest.subject ?? '',
        text,
        html: newest.bodyHtml ?? '',
        link,
        token: link.searchParams.get('token') ?? '',
      };
    }
    if (Date.now() > deadline) throw new Error(`no ${template} email to ${recipient}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Delivery {
  status: string;
  provider: string | null;
  subject: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
}

/** Registers, verifies through the emailed link, and signs in. */
export async function registeredUser(password = 'end to end passphrase') {
  const email = uniqueEmail();
  const res = await api('/auth/register', jsonRequest('POST', { email, password }));
  expect(res.status).toBe(202);
  // Register names no account (a taken address gets the same answer): the mail goes to the address, and the id
  // comes from signing in.
  const { token } = await emailTo(email, 'identity.verify-email');
  expect((await api('/auth/verify-email', jsonRequest('POST', { token }))).status).toBe(200);
  const login = await api('/auth/login', jsonRequest('POST', { email, password }));
  expect(login.status).toBe(200);
  const tokens = (await login.json()) as Tokens;
  const user = (await (await api('/api/v1/users/me', { headers: bearer(tokens.accessToken) })).json()) as {
    id: string;
  };
  return { id: user.id, email, password, tokens };
}

let admin: Promise<string> | undefined;

/** An access token of the seeded admin, signed in once per test file. */
export function adminToken(): Promise<string> {
  admin ??= (async () => {
    const res = await api(
      '/auth/login',
      jsonRequest('POST', { email: 'admin@onasis.local', password: 'e2e-admin-password' }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as Tokens).accessToken;
  })();
  return admin;
}
