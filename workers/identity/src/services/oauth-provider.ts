import { AppError, createLogger } from '@onasis/http';
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { clientSecretOf, defaultScopes, type ProviderConfig } from './oauth-config.js';
import { githubIdentity } from './oauth-github.js';

/** Who the provider says signed in. `emailVerified` is the provider's word that the person controls `email`. */
export interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** The secrets of one authorization request, kept server-side until its callback. */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce: string;
}

const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const MICROSOFT_HOST = 'https://login.microsoftonline.com';
const MICROSOFT_MULTI_TENANT = new Set(['common', 'organizations', 'consumers']);
const CLOCK_TOLERANCE_S = 60;

// Per isolate: discovery documents for an hour, and one remote key set per jwks_uri (jose refetches it on an
// unknown kid, at most every 30 s, and keeps keys for 10 minutes).
const discovered = new Map<string, { as: oauth.AuthorizationServer; expiresAt: number }>();
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

/** The issuer a provider's discovery document is read from. */
function issuerOf(config: Exclude<ProviderConfig, { type: 'github' }>): string {
  if (config.type === 'google') return 'https://accounts.google.com';
  if (config.type === 'microsoft') return `${MICROSOFT_HOST}/${config.tenant}/v2.0`;
  return config.issuer;
}

/** Plain-http providers pass the config schema only on a loopback host; oauth4webapi must be told to accept them. */
function requestOptions(url: string): { [oauth.allowInsecureRequests]?: boolean } {
  return new URL(url).protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};
}

const log = createLogger({ service: 'identity' });

function upstream(config: ProviderConfig, what: string, err: unknown): AppError {
  log.error(`oauth ${what} failed`, { provider: config.id, err: String(err) });
  return new AppError('UPSTREAM_FAILED', `The login provider ${config.id} could not be reached.`);
}

/** The provider's endpoints: GitHub's are fixed, every other provider's come from (cached) OIDC discovery. */
async function authorizationServer(config: ProviderConfig): Promise<oauth.AuthorizationServer> {
  if (config.type === 'github') {
    const web = config.webBaseUrl.replace(/\/+$/, '');
    return {
      issuer: web,
      authorization_endpoint: `${web}/login/oauth/authorize`,
      token_endpoint: `${web}/login/oauth/access_token`,
    };
  }
  const issuer = issuerOf(config);
  const cached = discovered.get(issuer);
  if (cached && cached.expiresAt > Date.now()) return cached.as;
  let as: oauth.AuthorizationServer;
  try {
    const response = await oauth.discoveryRequest(new URL(issuer), { algorithm: 'oidc', ...requestOptions(issuer) });
    // A multi-tenant Entra document names the issuer `…/{tenantid}/v2.0` (each token names its own tenant), so it
    // cannot equal the URL it was fetched from; it must still be Microsoft's.
    const multiTenant = config.type === 'microsoft' && MICROSOFT_MULTI_TENANT.has(config.tenant);
    const expected = multiTenant ? new URL(String((await response.clone().json<{ issuer?: unknown }>()).issuer)) : null;
    if (expected && expected.origin !== MICROSOFT_HOST) throw new Error(`unexpected issuer ${expected.href}`);
    as = await oauth.processDiscoveryResponse(expected ?? new URL(issuer), response);
  } catch (err) {
    throw upstream(config, 'discovery', err);
  }
  if (!as.authorization_endpoint || !as.token_endpoint || !as.jwks_uri) {
    throw upstream(config, 'discovery', new Error('authorization, token or jwks endpoint missing'));
  }
  discovered.set(issuer, { as, expiresAt: Date.now() + DISCOVERY_TTL_MS });
  return as;
}

/** Where to send the browser: the provider's authorization endpoint with PKCE (S256), state and, for OIDC, nonce. */
export async function authorizationUrl(config: ProviderConfig, redirectUri: string, login: PendingLogin): Promise<URL> {
  const as = await authorizationServer(config);
  const url = new URL(as.authorization_endpoint as string);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', (config.scopes ?? defaultScopes(config)).join(' '));
  url.searchParams.set('state', login.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(login.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (config.type !== 'github') url.searchParams.set('nonce', login.nonce);
  return url;
}

/**
 * Redeems the authorization code of a callback (with the PKCE verifier) and returns who signed in: from the ID
 * token for OIDC providers, from the REST API for GitHub. Every refusal is an OAUTH_FAILED AppError.
 */
export async function completeLogin(
  env: IdentityEnv,
  config: ProviderConfig,
  callback: URLSearchParams,
  redirectUri: string,
  login: PendingLogin,
): Promise<ProviderIdentity> {
  const as = await authorizationServer(config);
  const client: oauth.Client = { client_id: config.clientId };
  const secret = clientSecretOf(env, config.id);
  const clientAuth = secret ? oauth.ClientSecretPost(secret) : oauth.None();
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, callback, login.state);
  } catch (err) {
    throw refusal(config, 'authorization response', err);
  }
  const tokenUrl = as.token_endpoint as string;
  let response: Response;
  try {
    response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth,
      params,
      redirectUri,
      login.codeVerifier,
      {
        ...requestOptions(tokenUrl),
        signal: AbortSignal.timeout(10_000),
      },
    );
  } catch (err) {
    throw upstream(config, 'token request', err);
  }
  if (config.type === 'github') {
    let accessToken: string;
    try {
      accessToken = (await oauth.processAuthorizationCodeResponse(as, client, response)).access_token;
    } catch (err) {
      throw refusal(config, 'token response', err);
    }
    return githubIdentity(config, accessToken);
  }
  try {
    const expectedIssuer = await issuerForTokens(as, response);
    const checked = { ...as, issuer: expectedIssuer };
    const tokens = await oauth.processAuthorizationCodeResponse(checked, client, response, {
      expectedNonce: login.nonce,
      requireIdToken: true,
    });
    const claims = await verifyIdToken(config, as, tokens.id_token as string, expectedIssuer, login.nonce);
    return identityFromClaims(config, claims);
  } catch (err) {
    if (err instanceof errors.JWKSTimeout) throw upstream(config, 'key set request', err);
    throw refusal(config, 'ID token', err);
  }
}

/** The issuer the ID token must name: the discovered one, or for multi-tenant Entra the token's own tenant's. */
async function issuerForTokens(as: oauth.AuthorizationServer, response: Response): Promise<string> {
  if (!as.issuer.includes('{tenantid}')) return as.issuer;
  // The tenant is read before the signature is checked; jose then verifies the token against that issuer.
  const body = await response.clone().json<{ id_token?: unknown }>();
  const tid = typeof body.id_token === 'string' ? decodeJwt(body.id_token).tid : undefined;
  if (typeof tid !== 'string' || !/^[0-9a-f-]{36}$/i.test(tid)) throw new Error('ID token without a tenant id');
  return as.issuer.replace('{tenantid}', tid);
}

/** Verifies the ID token's signature against the provider's JWKS, and its issuer, audience, lifetime and nonce. */
async function verifyIdToken(
  config: ProviderConfig,
  as: oauth.AuthorizationServer,
  idToken: string,
  issuer: string,
  nonce: string,
): Promise<JWTPayload> {
  const jwksUri = as.jwks_uri as string;
  let keySet = keySets.get(jwksUri);
  if (!keySet) {
    keySet = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5_000 });
    keySets.set(jwksUri, keySet);
  }
  const advertised = (as.id_token_signing_alg_values_supported ?? []).filter((alg) => alg !== 'none');
  const { payload } = await jwtVerify(idToken, keySet, {
    issuer,
    audience: config.clientId,
    algorithms: advertised.length > 0 ? advertised : ['RS256'],
    requiredClaims: ['exp', 'iat', 'sub'],
    clockTolerance: CLOCK_TOLERANCE_S,
  });
  if (payload.nonce !== nonce) throw new Error('nonce mismatch');
  return payload;
}

/**
 * The identity an ID token asserts. The email counts as verified only on an explicit `email_verified: true`; Entra
 * ID sends no such claim, and its optional claim `xms_edov` (the email's domain is verified by the tenant) is taken
 * as the equivalent, so Microsoft accounts link only when the app registration adds `email` and `xms_edov`.
 */
function identityFromClaims(config: ProviderConfig, claims: JWTPayload): ProviderIdentity {
  const email = typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : null;
  const verified =
    claims.email_verified === true ||
    (config.type === 'microsoft' && (claims.xms_edov === true || claims.xms_edov === 1));
  const given = [claims.given_name, claims.family_name].filter((p): p is string => typeof p === 'string').join(' ');
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : given.trim() || null;
  return {
    subject: claims.sub as string,
    email,
    emailVerified: email !== null && verified,
    name: name?.slice(0, 200) ?? null,
  };
}

function refusal(config: ProviderConfig, what: string, err: unknown): AppError {
  log.warn(`oauth ${what} refused`, { provider: config.id, err: String(err) });
  if (err instanceof AppError) return err;
  if (err instanceof oauth.AuthorizationResponseError) {
    return new AppError('OAUTH_FAILED', `The login provider answered ${safeCode(err.error)}.`);
  }
  if (err instanceof oauth.ResponseBodyError) {
    return new AppError('OAUTH_FAILED', `The login provider refused the authorization code (${safeCode(err.error)}).`);
  }
  return new AppError('OAUTH_FAILED', `The ${what} from ${config.id} is not valid.`);
}

/** An OAuth error code as the provider sent it, if it looks like one (it is echoed to the client). */
export function safeCode(code: string | null | undefined): string {
  return code && /^[a-z0-9_.-]{1,64}$/i.test(code) ? code : 'an error';
}
