import { createRoute, z } from '@hono/zod-openapi';
import { access, jsonBody, jsonResponse, requirePrincipal, resourceApp } from '@onasis/http';
import type { AppEnv } from '../context.js';
import { audit } from '../services/audit.js';
import { refreshSession } from '../services/refresh-session.js';
import { forget } from '../services/revocation.js';
import { answerSession, clearSessionCookies, refreshCookie } from '../services/session-cookies.js';
import { sessionsOf } from '../services/sessions.js';
import { signInWithPassword } from '../services/sign-in.js';
import {
  CookieFlag,
  CookieSessionSchema,
  EmailSchema,
  MfaChallengeSchema,
  PasswordSchema,
  TokenPairSchema,
} from './auth-schemas.js';
import { problems } from './problems.js';

const login = createRoute({
  method: 'post',
  path: '/login',
  ...access('public'),
  tags: ['identity'],
  summary: 'Sign in with email and password',
  description:
    'Answers tokens, or an MFA challenge when the account has a second factor. Unknown email and wrong password ' +
    'give the same 401. After five failures the account locks with growing back-off (429 with Retry-After).',
  request: jsonBody(
    z.object({ email: EmailSchema, password: PasswordSchema, cookie: CookieFlag }).openapi('LoginRequest'),
  ),
  responses: {
    200: jsonResponse(
      z.union([TokenPairSchema, CookieSessionSchema, MfaChallengeSchema]),
      'Signed in, or a second factor is needed',
    ),
    ...problems(401, 403, 429),
  },
});

const refresh = createRoute({
  method: 'post',
  path: '/refresh',
  ...access('public'),
  tags: ['identity'],
  summary: 'Exchange a refresh token for new tokens',
  description:
    'Rotates the refresh token: the one sent is spent. Within 30 seconds of its spending, the same token is ' +
    'answered with the same successor again (two tabs, or a retry after a lost answer); later, a spent token ' +
    'revokes its session, since a copy of it may be in someone else’s hands.',
  request: jsonBody(
    z
      .object({
        refreshToken: z
          .string()
          .min(1)
          .max(512)
          .optional()
          .openapi({ description: 'Omitted by browsers that hold the refresh token in its cookie.' }),
        cookie: CookieFlag,
      })
      .openapi('RefreshRequest'),
  ),
  responses: {
    200: jsonResponse(z.union([TokenPairSchema, CookieSessionSchema]), 'New tokens'),
    ...problems(401),
  },
});

const logout = createRoute({
  method: 'post',
  path: '/logout',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'End the current session',
  responses: { 204: { description: 'Signed out' }, ...problems(401) },
});

const logoutAll = createRoute({
  method: 'post',
  path: '/logout-all',
  ...access('authenticated'),
  tags: ['identity'],
  summary: 'End every session of the signed-in user',
  responses: { 204: { description: 'Signed out everywhere' }, ...problems(401) },
});

/** Sign-in with a password, token refresh, and sign-out. */
export const signInApp = resourceApp<AppEnv>();

signInApp.openapi(login, async (c) => {
  const { email, password, cookie } = c.req.valid('json');
  const signedIn = await signInWithPassword(c, { email, password });
  if ('mfaToken' in signedIn) {
    c.header('cache-control', 'no-store');
    return c.json({ mfaRequired: true as const, mfaToken: signedIn.mfaToken }, 200);
  }
  return c.json(answerSession(c, signedIn.tokens, cookie), 200);
});

signInApp.openapi(refresh, async (c) => {
  const body = c.req.valid('json');
  const fromCookie = body.refreshToken === undefined;
  const tokens = await refreshSession(c, body.refreshToken ?? refreshCookie(c) ?? '');
  // A refresh token that came from the cookie goes back into it.
  return c.json(answerSession(c, tokens, body.cookie ?? fromCookie), 200);
});

signInApp.openapi(logout, async (c) => {
  const principal = requirePrincipal(c);
  if (principal.sessionId) {
    await sessionsOf(c.env, principal.userId).revoke(principal.sessionId, 'logout');
    await audit(c, {
      action: 'session.revoked',
      actorId: principal.userId,
      targetType: 'session',
      targetId: principal.sessionId,
      data: { reason: 'logout' },
    });
    forget(c, { sessions: [principal.sessionId] });
  }
  clearSessionCookies(c);
  return c.body(null, 204);
});

signInApp.openapi(logoutAll, async (c) => {
  const principal = requirePrincipal(c);
  const revoked = await sessionsOf(c.env, principal.userId).revokeAll('logout_all');
  await audit(c, {
    action: 'session.revoked_all',
    actorId: principal.userId,
    targetType: 'user',
    targetId: principal.userId,
    data: { reason: 'logout_all', sessionsRevoked: revoked },
  });
  forget(c, { users: [principal.userId] });
  clearSessionCookies(c);
  return c.body(null, 204);
});
