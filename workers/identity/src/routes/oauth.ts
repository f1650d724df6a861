import { createRoute, z } from '@hono/zod-openapi';
import { AppError, access, jsonResponse, resourceApp } from '@onasis/http';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import * as oauth from 'oauth4webapi';
import type { AppEnv } from '../context.js';
import { timingSafeEqual } from '../services/crypto.js';
import { OAUTH_STATE_TTL_MS, saveLoginState, spendLoginState } from '../services/oauth.js';
import { oauthProviders, type ProviderConfig } from '../services/oauth-config.js';
import { authorizationUrl } from '../services/oauth-provider.js';
import { signInWithProvider } from '../services/oauth-sign-in.js';
import { MfaChallengeSchema, TokenPairSchema } from './auth-schemas.js';
import { problems } from './problems.js';

const ProviderParams = z.object({
  provider: z.string().openapi({ param: { name: 'provider', in: 'path' }, example: 'google' }),
});
const redirectHeaders = z.object({ location: z.string() });

const authorize = createRoute({
  method: 'get',
  path: '/{provider}/authorize',
  ...access('public'),
  tags: ['identity'],
  summary: 'Start a social login',
  description:
    'Redirects the browser to the provider (authorization code flow with PKCE S256, state and nonce) and sets a ' +
    'short-lived cookie that ties the login to this browser. `redirect_to` must be an address of the client app.',
  request: {
    params: ProviderParams,
    query: z.object({
      redirect_to: z.string().optional().openapi({ example: 'https://app.onasis.dev/signed-in' }),
    }),
  },
  responses: {
    302: { description: 'To the provider', headers: redirectHeaders },
    ...problems(400, 404, 502),
  },
});

const callback = createRoute({
  method: 'get',
  path: '/{provider}/callback',
  ...access('public'),
  tags: ['identity'],
  summary: 'Finish a social login',
  description:
    'Where the provider sends the browser back. Redeems the code, verifies the ID token against the provider’s ' +
    'keys, then signs in the user linked to the provider account, links the account with the same verified email, ' +
    'or creates one. With `redirect_to`, answers 302 to it with the tokens in the fragment ' +
    '(`#access_token=…&refresh_token=…&token_type=Bearer&expires_in=…`, or `#mfa_required=true&mfa_token=…`).',
  request: {
    params: ProviderParams,
    query: z.object({
      code: z.string().optional(),
      state: z.string().optional(),
      error: z.string().optional(),
      error_description: z.string().optional(),
    }),
  },
  responses: {
    200: jsonResponse(z.union([TokenPairSchema, MfaChallengeSchema]), 'Signed in, or a second factor is needed'),
    302: { description: 'Back to `redirect_to`, tokens in the fragment', headers: redirectHeaders },
    ...problems(400, 403, 404, 502),
  },
});

function providerOf(env: IdentityEnv, id: string): ProviderConfig {
  const config = oauthProviders(env).get(id);
  if (!config) throw new AppError('NOT_FOUND', 'No such login provider.');
  return config;
}

/** The registered redirect URI of a provider: the callback at the platform's public origin. */
function callbackUrl(env: IdentityEnv, provider: string): string {
  return `${env.ISSUER.replace(/\/+$/, '')}/auth/oauth/${provider}/callback`;
}

/** `redirect_to` as an absolute URL on the client app's origin; anything else would make this an open redirect. */
function appRedirect(env: IdentityEnv, raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  const origin = new URL(env.APP_URL).origin;
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch {}
  if (url?.origin !== origin) {
    throw new AppError('VALIDATION_FAILED', 'redirect_to must be an address of the client app.', {
      errors: [{ path: 'query.redirect_to', message: `must be an absolute URL on ${origin}` }],
    });
  }
  url.hash = '';
  return url.href;
}

// The cookie that binds a login to the browser that started it (login CSRF): `__Host-` where the platform is
// served over https; over plain http (local development) browsers refuse that prefix, so a path-scoped name.
const COOKIE = 'onasis_oauth';
function cookieOptions(env: IdentityEnv) {
  return new URL(env.ISSUER).protocol === 'https:'
    ? ({ prefix: 'host', secure: true, path: '/' } as const)
    : ({ path: '/auth/oauth' } as const);
}

function bindToBrowser(c: Context<AppEnv>, state: string): void {
  setCookie(c, COOKIE, state, {
    ...cookieOptions(c.env),
    httpOnly: true,
    sameSite: 'Lax',
    maxAge: OAUTH_STATE_TTL_MS / 1000,
  });
}

function boundState(c: Context<AppEnv>): string | undefined {
  const options = cookieOptions(c.env);
  return 'prefix' in options ? getCookie(c, COOKIE, options.prefix) : getCookie(c, COOKIE);
}

const failed = (detail: string) => new AppError('OAUTH_FAILED', detail);

/** Social login: `/auth/oauth/{provider}/authorize` and its callback. Providers come from OAUTH_PROVIDERS. */
export const oauthApp = resourceApp<AppEnv>();

oauthApp.openapi(authorize, async (c) => {
  const config = providerOf(c.env, c.req.valid('param').provider);
  const redirectTo = appRedirect(c.env, c.req.valid('query').redirect_to);
  const login = {
    state: oauth.generateRandomState(),
    codeVerifier: oauth.generateRandomCodeVerifier(),
    nonce: oauth.generateRandomNonce(),
  };
  const url = await authorizationUrl(config, callbackUrl(c.env, config.id), login);
  await saveLoginState(c.env.DB, config.id, login, redirectTo);
  bindToBrowser(c, login.state);
  c.header('cache-control', 'no-store');
  return c.redirect(url.href, 302);
});

oauthApp.openapi(callback, async (c) => {
  const config = providerOf(c.env, c.req.valid('param').provider);
  const params = new URL(c.req.url).searchParams;
  const state = params.get('state') ?? '';
  const bound = boundState(c);
  if (!state || !bound || !timingSafeEqual(bound, state)) {
    c.get('log').warn('oauth callback without its browser binding', { provider: config.id, cookie: !!bound });
    throw failed('This login was not started in this browser, or it expired; start it again.');
  }
  const stored = await spendLoginState(c.env.DB, config.id, state);
  if (!stored) throw failed('This login expired or was already completed; start it again.');

  // From here on the login is genuine (started in this browser, within 10 minutes): failures are audited.
  const signedIn = await signInWithProvider(c, config, {
    params,
    redirectUri: callbackUrl(c.env, config.id),
    login: { state, ...stored },
  });
  deleteCookie(c, COOKIE, cookieOptions(c.env));
  c.header('cache-control', 'no-store');
  const [body, answer] =
    'mfaToken' in signedIn
      ? [
          { mfaRequired: true as const, mfaToken: signedIn.mfaToken },
          { mfa_required: 'true', mfa_token: signedIn.mfaToken },
        ]
      : [
          signedIn.tokens,
          {
            access_token: signedIn.tokens.accessToken,
            refresh_token: signedIn.tokens.refreshToken,
            token_type: signedIn.tokens.tokenType,
            expires_in: String(signedIn.tokens.expiresIn),
          },
        ];
  if (!stored.redirectTo) return c.json(body, 200);
  // In the fragment, the tokens never reach a server's logs or a Referer header.
  const to = new URL(stored.redirectTo);
  to.hash = new URLSearchParams(answer).toString();
  return c.redirect(to.href, 302);
});
