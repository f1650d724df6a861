/** Where and as whom to reach PayPal's REST API. */
export interface PayPalClientOptions {
  clientId: string;
  clientSecret: string;
  /** `https://api-m.paypal.com`, `https://api-m.sandbox.paypal.com`, or a local server in tests. */
  apiBase: string;
  /** Per request, in ms: a Worker must answer the gateway well before its own limits. */
  timeoutMs?: number;
}

/** PayPal's error object (`{ name, message, debug_id, details }`), or OAuth's (`{ error, error_description }`). */
export interface PayPalErrorBody {
  name?: string;
  message?: string;
  debug_id?: string;
  details?: { issue?: string; description?: string; field?: string }[];
  error?: string;
  error_description?: string;
}

/** One call's answer: the JSON body, or the failure (status 0: PayPal was not reached). */
export type PayPalCall =
  | { ok: true; status: number; body: unknown }
  | { ok: false; status: number; error: PayPalErrorBody | null; message: string };

/** What a call sends: a JSON body (or its exact text), and the `PayPal-Request-Id` that makes a retry a replay. */
export interface PayPalCallInit {
  json?: unknown;
  rawJson?: string;
  requestId?: string;
}

/** Tokens renew this long before PayPal says they expire, so that none expires on its way. */
const TOKEN_MARGIN_MS = 5 * 60_000;

// Per isolate: a token's value once it has landed (check-then-set), never a promise. A request that awaited another
// request's promise would be cancelled with it by workerd; two requests that both miss the cache each fetch a token,
// which PayPal allows (both stay valid).
const tokens = new Map<string, { value: string; expiresAt: number }>();

const cacheKey = (o: PayPalClientOptions) => `${o.apiBase} ${o.clientId}`;

async function send(o: PayPalClientOptions, method: string, path: string, init: RequestInit): Promise<PayPalCall> {
  let res: Response;
  try {
    res = await fetch(`${o.apiBase}${path}`, { method, ...init, signal: AbortSignal.timeout(o.timeoutMs ?? 15_000) });
  } catch (err) {
    return { ok: false, status: 0, error: null, message: err instanceof Error ? err.message : String(err) };
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (res.ok) return { ok: true, status: res.status, body };
  const error = (body ?? null) as PayPalErrorBody | null;
  const detail = error?.details?.[0];
  const message = [error?.name ?? error?.error, detail?.issue, detail?.description ?? error?.message]
    .concat(error?.error_description)
    .filter(Boolean)
    .join(': ');
  return { ok: false, status: res.status, error, message: message || `HTTP ${res.status}` };
}

/** An access token by OAuth 2 client credentials: the cached one while it lasts, else a new one. */
async function accessToken(o: PayPalClientOptions): Promise<{ ok: true; value: string } | PayPalCall> {
  const cached = tokens.get(cacheKey(o));
  if (cached && cached.expiresAt > Date.now()) return { ok: true, value: cached.value };
  const answer = await send(o, 'POST', '/v1/oauth2/token', {
    headers: {
      authorization: `Basic ${btoa(`${o.clientId}:${o.clientSecret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (!answer.ok) return answer;
  const { access_token: value, expires_in: seconds } = (answer.body ?? {}) as {
    access_token?: string;
    expires_in?: number;
  };
  if (!value) return { ok: false, status: 502, error: null, message: 'PayPal issued no access token.' };
  tokens.set(cacheKey(o), { value, expiresAt: Date.now() + (seconds ?? 0) * 1000 - TOKEN_MARGIN_MS });
  return { ok: true, value };
}

/**
 * One API call with a bearer token. A 401 means the token died early (revoked, or expired before PayPal said): the
 * cached one is dropped, a new one fetched and the call made once more; a second 401 is the answer. The repeat
 * carries the same `PayPal-Request-Id`, so it can never do the work twice.
 */
export async function paypalCall(
  o: PayPalClientOptions,
  method: 'GET' | 'POST',
  path: string,
  init: PayPalCallInit = {},
): Promise<PayPalCall> {
  for (let attempt = 0; ; attempt++) {
    const token = await accessToken(o);
    if (!('value' in token)) return token;
    const body = init.rawJson ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
    const answer = await send(o, method, path, {
      headers: {
        authorization: `Bearer ${token.value}`,
        prefer: 'return=representation',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(init.requestId !== undefined && { 'paypal-request-id': init.requestId }),
      },
      ...(body !== undefined && { body }),
    });
    if (answer.status !== 401 || attempt > 0) return answer;
    if (tokens.get(cacheKey(o))?.value === token.value) tokens.delete(cacheKey(o));
  }
}
