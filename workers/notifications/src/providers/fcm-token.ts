import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';
import { PROVIDER_TIMEOUT_MS } from './http-outcome.js';

/** The fields of a Google service-account key file that the OAuth exchange needs. */
export const ServiceAccountSchema = z.object({
  project_id: z.string().min(1),
  client_email: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().optional(),
  token_uri: z.url().default('https://oauth2.googleapis.com/token'),
});

/** A parsed service account. */
export type ServiceAccount = z.output<typeof ServiceAccountSchema>;

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Tokens are renewed this long before Google's expiry, so that a send never carries one that expires in flight. */
const EARLY_RENEWAL_MS = 5 * 60_000;

/** What the token exchange answered: a token, or why not (and whether asking again may help). */
type TokenResult = { ok: true; token: string } | { ok: false; permanent: boolean; error: string };

interface CachedToken {
  token: string;
  expiresAt: number;
}

// Per isolate: every send of every request in this isolate shares one token per service account, as Google asks
// (a token per message would hit the token endpoint's quota).
const tokens = new Map<string, CachedToken>();

const keyOf = (account: ServiceAccount) => `${account.client_email} ${account.token_uri}`;

/** Forgets the cached token of `account` (FCM refused it), so that the next send exchanges a new one. */
export function dropAccessToken(account: ServiceAccount): void {
  tokens.delete(keyOf(account));
}

/**
 * An OAuth2 access token for FCM: a JWT assertion signed with the service account's RS256 key, exchanged at its
 * `token_uri` (RFC 7523), cached until shortly before it expires.
 */
export async function accessToken(
  account: ServiceAccount,
  now = Date.now(),
  timeoutMs = PROVIDER_TIMEOUT_MS,
): Promise<TokenResult> {
  const key = keyOf(account);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - EARLY_RENEWAL_MS > now) return { ok: true, token: cached.token };
  // Not shared with an exchange another invocation started: workerd cancels whatever awaits a promise created by an
  // invocation that has ended. Senders that miss at once each exchange; the first token to land is then reused.
  return exchangeToken(account, now, timeoutMs);
}

async function exchangeToken(account: ServiceAccount, now: number, timeoutMs: number): Promise<TokenResult> {
  let assertion: string;
  try {
    const privateKey = await importPKCS8(account.private_key, 'RS256');
    assertion = await new SignJWT({ scope: SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.private_key_id && { kid: account.private_key_id }) })
      .setIssuer(account.client_email)
      .setAudience(account.token_uri)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(privateKey);
  } catch (err) {
    return { ok: false, permanent: true, error: `fcm service account key unusable: ${String(err)}` };
  }
  let res: Response;
  try {
    res = await fetch(account.token_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    return { ok: false, permanent: false, error: `fcm token exchange network error: ${String(err)}` };
  }
  const body = await res
    .json<{ access_token?: string; expires_in?: number; error?: string; error_description?: string }>()
    .catch(() => ({}) as { access_token?: string; expires_in?: number; error?: string; error_description?: string });
  if (!res.ok || !body.access_token) {
    const reason = [body.error, body.error_description].filter(Boolean).join(': ') || 'no access token';
    return { ok: false, permanent: res.status < 500 && res.status !== 429, error: `fcm token ${res.status} ${reason}` };
  }
  tokens.set(keyOf(account), { token: body.access_token, expiresAt: now + (body.expires_in ?? 3600) * 1000 });
  return { ok: true, token: body.access_token };
}
