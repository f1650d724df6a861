import { type Answer, problem, type Seen, startPlatformServer } from './platform-server.js';
import { cookieOf, sessionCookies, type TokenStore } from './token-store.js';

export const PASSWORD = 'correct horse battery staple';
export const MFA_CODE = '123456';
const USERS: Record<string, { id: string; mfa: boolean }> = {
  'ada@example.com': { id: 'usr_ada', mfa: false },
  'grace@example.com': { id: 'usr_grace', mfa: true },
};
/** How many jobs `GET /api/v1/jobs` lists: three pages of 20 and one of 5. */
export const JOB_COUNT = 65;

type Handler = (seen: Seen, store: TokenStore) => Answer;

const unauthenticated = () => ({ status: 401, body: problem(401, 'UNAUTHENTICATED', 'The access token is invalid.') });

/** A route that needs a signed-in caller, as the gateway's `authenticated` policy. */
function signedIn(handler: (seen: Seen, userId: string, store: TokenStore) => Answer): Handler {
  return (seen, store) => {
    const userId = store.userOf(seen);
    return userId ? handler(seen, userId, store) : unauthenticated();
  };
}

/** The tokens in the body, or in cookies when the client asked for them. */
function session(tokens: { accessToken: string; refreshToken: string }, cookie: unknown): Answer {
  if (cookie === true)
    return { status: 200, body: { tokenType: 'Cookie', expiresIn: 900 }, cookies: sessionCookies(tokens) };
  return { status: 200, body: { ...tokens, tokenType: 'Bearer', expiresIn: 900 } };
}

function job(n: number) {
  return {
    id: `job_${String(n).padStart(3, '0')}`,
    type: 'report.build',
    status: n % 5 === 0 ? 'failed' : 'succeeded',
  };
}

const routes: Record<string, Handler> = {
  'POST /auth/login': ({ body }, store) => {
    const user = USERS[String(body?.email)];
    if (!user || body?.password !== PASSWORD) {
      return { status: 401, body: problem(401, 'INVALID_CREDENTIALS', 'Wrong email or password.') };
    }
    if (user.mfa) return { status: 200, body: { mfaRequired: true, mfaToken: `mfa_${user.id}` } };
    return session(store.signIn(user.id), body?.cookie);
  },
  'POST /auth/mfa/verify': ({ body }, store) => {
    const userId = String(body?.mfaToken).replace(/^mfa_/, '');
    if (body?.code !== MFA_CODE) return { status: 401, body: problem(401, 'INVALID_MFA_CODE', 'Wrong code.') };
    return session(store.signIn(userId), body?.cookie);
  },
  'POST /auth/refresh': (seen, store) => {
    const fromCookie = seen.body?.refreshToken === undefined;
    const token = fromCookie ? cookieOf(seen, '__Host-onasis_rt') : String(seen.body?.refreshToken);
    const rotated = store.rotate(token ?? '');
    if ('refused' in rotated) return { status: 401, body: problem(401, rotated.refused, 'No new tokens.') };
    return session(rotated.tokens, seen.body?.cookie ?? fromCookie);
  },
  'POST /auth/logout': signedIn((seen, _userId, store) => {
    store.revoke(seen);
    return { status: 204 };
  }),
  'POST /auth/mfa/totp/disable': signedIn(() => ({
    status: 401,
    body: problem(401, 'INVALID_MFA_CODE', 'Wrong code.'),
  })),
  'GET /api/v1/users/me': signedIn((_seen, userId) => ({ status: 200, body: { id: userId, roles: ['member'] } })),
  'GET /api/v1/jobs': signedIn(({ query }) => {
    const limit = Number(query.get('limit') ?? 20);
    const status = query.get('status');
    const all = Array.from({ length: JOB_COUNT }, (_, i) => job(i + 1)).filter((j) => !status || j.status === status);
    const start = Number(query.get('cursor')?.replace(/^cur_/, '') ?? 0);
    const data = all.slice(start, start + limit);
    const next = start + limit < all.length ? `cur_${start + limit}` : null;
    return { status: 200, body: { data, nextCursor: next } };
  }),
  'POST /api/v1/jobs': signedIn(({ body }) => ({ status: 201, body: { ...job(900), type: String(body?.type) } })),
  'PATCH /api/v1/users/me': signedIn((_seen, userId) => ({ status: 200, body: { id: userId } })),
  'DELETE /api/v1/users/me/sessions/ses_1': signedIn(() => ({ status: 204 })),
};

/** The platform's wire format on a local port, with these users, jobs and session rules. */
export function startPlatform() {
  return startPlatformServer(routes);
}
