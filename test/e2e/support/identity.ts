// Accounts for the end-to-end suite: registration through the API, and the emails identity asked the notifications
// Worker to send, read from its sandbox deliveries.
import { expect, inject } from 'vitest';
import { queryLocal } from '../../../scripts/platform.mjs';
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

/**
 * The variables of the newest sandbox delivery of `template` to `recipient`, waiting for the queue to deliver it.
 * The sandbox provider records what would have been emailed.
 */
export async function emailTo(recipient: string, template: string, after = 0): Promise<Record<string, unknown>> {
  const persistTo = inject('persistTo');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const rows = (await queryLocal(
      persistTo,
      'notifications',
      `SELECT data FROM deliveries WHERE recipient = '${recipient.replaceAll("'", "''")}' AND template = '${template}' ORDER BY created_at`,
    )) as { data: string }[];
    if (rows.length > after) return JSON.parse(rows.at(-1)?.data ?? '{}');
    if (Date.now() > deadline) throw new Error(`no ${template} email to ${recipient}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Registers, verifies through the emailed link, and signs in. */
export async function registeredUser(password = 'end to end passphrase') {
  const email = uniqueEmail();
  const res = await api('/auth/register', jsonRequest('POST', { email, password }));
  expect(res.status).toBe(201);
  const user = (await res.json()) as { id: string };
  const { token } = (await emailTo(user.id, 'identity.verify-email')) as { token: string };
  expect((await api('/auth/verify-email', jsonRequest('POST', { token }))).status).toBe(200);
  const login = await api('/auth/login', jsonRequest('POST', { email, password }));
  expect(login.status).toBe(200);
  return { id: user.id, email, password, tokens: (await login.json()) as Tokens };
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
