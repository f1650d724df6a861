// Starts a local OpenID provider (oauth2-mock-server) on a free port of 127.0.0.1 for the identity tests, and on the
// same server a stand-in for GitHub's OAuth and REST endpoints (GitHub's wire format: form-encoded token request,
// errors answered with HTTP 200, `/user` and `/user/emails`). The identity Worker under test is configured with
// both providers through the project's bindings (see vitest.config.ts); tests read the issuer with
// `inject('oauthIssuer')`.
//
// A test chooses who signs in, as a person would on the provider's page, by adding `login_as` (a JSON MockLogin)
// to the authorization URL it follows.
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AugmentedRequest,
  Events,
  type MutableRedirectUri,
  type MutableResponse,
  type MutableToken,
  OAuth2Server,
  type TokenRequestIncomingMessage,
} from 'oauth2-mock-server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the local OpenID provider, e.g. `http://127.0.0.1:41234`; the GitHub stand-in shares it. */
    oauthIssuer: string;
  }
}

/** Who signs in at the local provider, given by a test as the `login_as` parameter of the authorization URL. */
export interface MockLogin {
  /** Claims merged into the ID token (`sub`, `email`, `email_verified`, `nonce`, `name`…); null removes one. */
  claims?: Record<string, unknown>;
  /** Sign the ID token with a key the provider does not publish, under the published key's `kid`. */
  foreignKey?: boolean;
  /** The GitHub stand-in's account: `GET /user` and `GET /user/emails`. */
  github?: {
    id: number;
    login: string;
    name?: string | null;
    emails: Array<{ email: string; primary: boolean; verified: boolean }>;
  };
}

/** What the GitHub stand-in accepts as the identity Worker's client. */
export const GITHUB_CLIENT = { id: 'gh-client', secret: 'gh-secret' };

const DEFAULT_CLAIMS = { email: 'johndoe@example.com', email_verified: true };

function loginOf(url: string | undefined): MockLogin | undefined {
  const raw = new URL(url ?? '/', 'http://mock').searchParams.get('login_as');
  return raw ? (JSON.parse(raw) as MockLogin) : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Re-signs a JWT with `key`, keeping its header (and so the `kid` of the key it claims). Synchronous, as hooks are. */
function resign(jwt: string, key: ReturnType<typeof createPrivateKey>): string {
  const [header, payload] = jwt.split('.');
  const input = `${header}.${payload}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  const foreignKey = createPrivateKey(
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const logins = new Map<string, MockLogin>();

  // OpenID provider: the code names the login chosen at /authorize; the token endpoint applies it.
  server.service.on(Events.BeforeAuthorizeRedirect, ({ url }: MutableRedirectUri, req: IncomingMessage) => {
    const code = url.searchParams.get('code');
    const login = loginOf(req.url);
    if (code && login) logins.set(code, login);
  });
  server.service.on(Events.BeforeTokenSigning, (token: MutableToken, req: TokenRequestIncomingMessage) => {
    const code = req.body?.code;
    const claims = { ...DEFAULT_CLAIMS, ...(typeof code === 'string' ? logins.get(code)?.claims : undefined) };
    for (const [name, value] of Object.entries(claims)) {
      if (value === null) delete token.payload[name];
      else token.payload[name] = value;
    }
  });
  server.service.on(Events.BeforeResponse, (response: MutableResponse, req: TokenRequestIncomingMessage) => {
    const code = req.body?.code;
    if (typeof code !== 'string') return;
    const body = response.body as { id_token?: string };
    if (logins.get(code)?.foreignKey && body.id_token) body.id_token = resign(body.id_token, foreignKey);
    logins.delete(code);
  });

  // GitHub stand-in: authorize, token exchange (checking the client secret and PKCE), then the REST API.
  type Pending = { login: MockLogin; redirectUri: string; challenge: string };
  const githubCodes = new Map<string, Pending>();
  const githubTokens = new Map<string, MockLogin>();
  const field = (record: AugmentedRequest['query'] | AugmentedRequest['body'], name: string): string => {
    const value = record && !Array.isArray(record) ? record[name] : undefined;
    return typeof value === 'string' ? value : '';
  };
  server.service.addRoute('GET', '/login/oauth/authorize', (req, res) => {
    const to = new URL(field(req.query, 'redirect_uri'));
    if (field(req.query, 'client_id') !== GITHUB_CLIENT.id) {
      to.searchParams.set('error', 'unauthorized_client');
    } else {
      const code = randomUUID();
      const challenge = field(req.query, 'code_challenge');
      githubCodes.set(code, { login: loginOf(req.url) ?? {}, redirectUri: to.href, challenge });
      to.searchParams.set('code', code);
    }
    const state = field(req.query, 'state');
    if (state) to.searchParams.set('state', state);
    res.writeHead(302, { location: to.href });
    res.end();
  });
  server.service.addRoute('POST', '/login/oauth/access_token', (req, res) => {
    const code = field(req.body, 'code');
    const pending = githubCodes.get(code);
    githubCodes.delete(code);
    const challenge = createHash('sha256').update(field(req.body, 'code_verifier')).digest('base64url');
    // GitHub answers a failed exchange with HTTP 200 and an `error` member.
    if (
      field(req.body, 'client_id') !== GITHUB_CLIENT.id ||
      field(req.body, 'client_secret') !== GITHUB_CLIENT.secret
    ) {
      return sendJson(res, 200, { error: 'incorrect_client_credentials' });
    }
    if (!pending || pending.redirectUri !== field(req.body, 'redirect_uri') || pending.challenge !== challenge) {
      return sendJson(res, 200, { error: 'bad_verification_code' });
    }
    const accessToken = `gho_${randomUUID().replaceAll('-', '')}`;
    githubTokens.set(accessToken, pending.login);
    sendJson(res, 200, { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' });
  });
  const githubAccount = (req: IncomingMessage) =>
    githubTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''))?.github;
  const badCredentials = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' };
  server.service.addRoute('GET', '/api/v3/user', (req, res) => {
    const account = githubAccount(req);
    if (!account) return sendJson(res, 401, badCredentials);
    sendJson(res, 200, { id: account.id, login: account.login, name: account.name ?? null, type: 'User' });
  });
  server.service.addRoute('GET', '/api/v3/user/emails', (req, res) => {
    const account = githubAccount(req);
    if (!account) return sendJson(res, 401, badCredentials);
    sendJson(
      res,
      200,
      account.emails.map((e) => ({ ...e, visibility: e.primary ? 'private' : null })),
    );
  });

  await server.start(0, '127.0.0.1');
  // The library names the issuer `localhost`, which may resolve to ::1 where nothing listens.
  server.issuer.url = `http://127.0.0.1:${server.address().port}`;
  project.provide('oauthIssuer', server.issuer.url);
  return async () => {
    if (server.listening) await server.stop();
  };
}
