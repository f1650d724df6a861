import { ACCESS_TOKEN_TYPE, SESSION_STATUS_CACHE_SECONDS } from '@onasis/contracts';
import { base64url, exportSPKI } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetAuthCaches } from '../src/middleware/authenticate.js';
import { problemOf } from './helpers.js';
import {
  accessClaims,
  advanceClock,
  bearer,
  json,
  newKey,
  publishedKey,
  request,
  type SignedIn,
  signedInUser,
  signToken,
  type TestKey,
  unsignedToken,
} from './identity-fixtures.js';

const me = (token: string) => request('/api/v1/users/me', bearer(token));
const past = (seconds: number) => Math.floor(Date.now() / 1000) - seconds;

/** Lets the gateway's cached "session is live" answers age out, as they do within SESSION_STATUS_CACHE_SECONDS. */
const afterSessionCache = () => advanceClock((SESSION_STATUS_CACHE_SECONDS + 1) * 1000);

let key: TestKey;
let attacker: TestKey;
let victim: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  key = await publishedKey();
  attacker = await newKey();
  victim = await signedInUser();
  admin = await signedInUser(['admin']);
  resetAuthCaches();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A token of `victim`'s live session, signed with the published test key, differing only as `options` say. */
const forged = (options: Parameters<typeof signToken>[2] = {}) => signToken(key, victim.subject, options);

/** Signs in a new user, proves the token works, then does `revoke` with it and lets the cached answer expire. */
async function revokedBy(revoke: (session: SignedIn) => Promise<Response>): Promise<string> {
  const session = await signedInUser();
  expect((await me(session.accessToken)).status).toBe(200);
  const res = await revoke(session);
  expect(res.ok, `${res.status} ${await res.clone().text()}`).toBe(true);
  afterSessionCache();
  return session.accessToken;
}

const attacks: [string, () => Promise<string>][] = [
  [
    'alg none',
    async () => unsignedToken({ alg: 'none', typ: ACCESS_TOKEN_TYPE, kid: key.kid }, accessClaims(victim.subject)),
  ],
  [
    'alg none with a copied signature',
    async () => {
      const signature = (await forged()).split('.')[2];
      return unsignedToken(
        { alg: 'none', typ: ACCESS_TOKEN_TYPE, kid: key.kid },
        accessClaims(victim.subject),
        signature,
      );
    },
  ],
  [
    'HS256 with the public key (PEM) as the HMAC secret',
    async () =>
      forged({
        header: { alg: 'HS256' },
        signWith: new TextEncoder().encode(await exportSPKI(key.publicKey)),
      }),
  ],
  [
    'HS256 with the public JWK as the HMAC secret',
    async () => forged({ header: { alg: 'HS256' }, signWith: new TextEncoder().encode(JSON.stringify(key.publicJwk)) }),
  ],
  ['unknown kid', () => forged({ header: { kid: 'key_does_not_exist' } })],
  ['no kid', () => forged({ header: { kid: undefined } })],
  ['kid path traversal', () => forged({ header: { kid: '../../../../etc/passwd' } })],
  ['kid SQL injection', () => forged({ header: { kid: "' OR 1=1 --" } })],
  [
    'embedded jwk of the attacker’s key',
    () => forged({ header: { kid: undefined, jwk: attacker.publicJwk }, signWith: attacker.privateKey }),
  ],
  ['embedded jwk on a token the issuer’s key signed', () => forged({ header: { jwk: key.publicJwk } })],
  [
    'jku pointing at the attacker’s key set',
    () =>
      forged({
        header: { kid: attacker.kid, jku: 'https://attacker.example/jwks.json' },
        signWith: attacker.privateKey,
      }),
  ],
  ['jku on a token the issuer’s key signed', () => forged({ header: { jku: 'https://attacker.example/jwks.json' } })],
  ['x5u header', () => forged({ header: { x5u: 'https://attacker.example/cert.pem' } })],
  ['x5c header', () => forged({ header: { x5c: ['MIIBszCCAVmgAwIBAgIUQ'] } })],
  ['crit header', async () => forged({ header: { b64: true, crit: ['b64'] } })],
  ['missing exp', () => forged({ claims: { exp: undefined } })],
  ['expired exp', () => forged({ claims: { iat: past(3600), exp: past(60) } })],
  ['exp not a number', () => forged({ claims: { exp: 'tomorrow' } })],
  ['future nbf', () => forged({ claims: { nbf: past(-300) } })],
  ['missing iat', () => forged({ claims: { iat: undefined } })],
  ['wrong iss', () => forged({ claims: { iss: 'https://attacker.example' } })],
  ['missing iss', () => forged({ claims: { iss: undefined } })],
  ['wrong aud', () => forged({ claims: { aud: 'another-api' } })],
  ['aud list without ours', () => forged({ claims: { aud: ['another-api', 'onasis'] } })],
  ['wrong typ (JWT)', () => forged({ header: { typ: 'JWT' } })],
  ['missing typ', () => forged({ header: { typ: undefined } })],
  ['missing sid', () => forged({ claims: { sid: undefined } })],
  ['missing jti', () => forged({ claims: { jti: undefined } })],
  ['missing sub', () => forged({ claims: { sub: undefined } })],
  ['permissions not a list of strings', () => forged({ claims: { permissions: 'users:write' } })],
  [
    'all-zero ECDSA signature',
    async () => {
      const [header, payload] = (await forged()).split('.');
      return `${header}.${payload}.${base64url.encode(new Uint8Array(64))}`;
    },
  ],
  ['signature of another key under the published kid', () => forged({ signWith: attacker.privateKey })],
  [
    'payload changed after signing (permissions raised)',
    async () => {
      const [header, , signature] = (await forged()).split('.');
      const raised = { ...accessClaims(victim.subject), permissions: ['users:read', 'users:write', 'roles:write'] };
      return `${header}.${base64url.encode(JSON.stringify(raised))}.${signature}`;
    },
  ],
  ['a session id that was never issued', () => forged({ claims: { sid: 'ses_never_issued' } })],
  [
    'revoked session (logout)',
    () => revokedBy((s) => request('/auth/logout', bearer(s.accessToken, { method: 'POST' }))),
  ],
  [
    'disabled user',
    () =>
      revokedBy((s) =>
        request(
          `/api/v1/users/${s.user.id}`,
          bearer(admin.accessToken, json({ status: 'disabled' }, { method: 'PATCH' })),
        ),
      ),
  ],
  [
    'deleted user',
    () =>
      revokedBy((s) =>
        request(
          '/api/v1/users/me',
          bearer(s.accessToken, json({ currentPassword: s.user.password }, { method: 'DELETE' })),
        ),
      ),
  ],
];

describe('JWT attack suite', () => {
  it('accepts the control: a token shaped like identity’s, signed with a published key', async () => {
    const res = await me(await forged());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: victim.user.id });
  });

  it.each(attacks)('refuses %s with 401 problem+json', async (_name, token) => {
    const res = await me(await token());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const problem = await problemOf(res);
    expect(problem.code).toBe('UNAUTHENTICATED');
    // The same words for every failure: nothing says which check failed or what the gateway runs.
    expect(problem.detail).toBe('The access token is invalid, expired or revoked.');
  });

  it('forges with exactly the header and claims identity puts in its own tokens', async () => {
    const decode = (part: string | undefined) =>
      JSON.parse(new TextDecoder().decode(base64url.decode(part ?? ''))) as Record<string, unknown>;
    const [realHeader, realPayload] = victim.accessToken.split('.');
    const [header, payload] = (await forged()).split('.');
    expect({ ...decode(header), kid: 'k' }).toEqual({ ...decode(realHeader), kid: 'k' });
    expect(Object.keys(decode(payload)).sort()).toEqual(Object.keys(decode(realPayload)).sort());
    expect(decode(payload)).toMatchObject({ iss: decode(realPayload).iss, aud: decode(realPayload).aud });
  });

  it('accepts the token identity itself issued', async () => {
    expect((await me(victim.accessToken)).status).toBe(200);
  });
});
