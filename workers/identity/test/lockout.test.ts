import { env } from 'cloudflare:workers';
import { problemOf } from '@onasis/testing';
import { describe, expect, it } from 'vitest';
import { networkOf } from '../src/services/device.js';
import { sessionsOf } from '../src/services/sessions.js';
import { call, createUser, uniqueEmail } from './helpers.js';

const login = (email: string, password: string, clientIp: string, cookie?: string) =>
  call('/auth/login', { json: { email, password }, headers: cookie ? { cookie } : {} }, { clientIp });

/** The device cookie a successful sign-in set, as the browser sends it back. */
function deviceCookieOf(res: Response): string {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('__Host-onasis_device='));
  if (!set) throw new Error('no device cookie');
  return set.split(';')[0] ?? '';
}

/** Status, error code and whether Retry-After came, for `n` wrong passwords in a row from `ip`. */
async function failures(email: string, n: number, ip: string) {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await login(email, `wrong password ${i}`, ip);
    const problem = await problemOf(res);
    seen.push(`${res.status} ${problem.code} ${res.headers.has('retry-after')}`);
  }
  return seen;
}

describe('lockout a stranger cannot turn into a weapon', () => {
  it('locks only the network the failures came from: the owner signs in from another', async () => {
    const { email, password } = await createUser();
    const seen = await failures(email, 6, '198.51.100.20');
    expect(seen.slice(0, 5)).toEqual(Array(5).fill('401 INVALID_CREDENTIALS false'));
    expect(seen[5]).toBe('429 ACCOUNT_LOCKED true');
    // The whole /24 waits, not only the one address.
    expect((await login(email, password, '198.51.100.99')).status).toBe(429);
    expect((await login(email, password, '203.0.113.50')).status).toBe(200);
  });

  it('exempts a device that signed in before, even inside the locked network', async () => {
    const { email, password } = await createUser();
    const device = deviceCookieOf(await login(email, password, '192.0.2.10'));
    await failures(email, 6, '192.0.2.66');
    expect((await login(email, password, '192.0.2.10')).status).toBe(429);
    const trusted = await login(email, password, '192.0.2.10', device);
    expect(trusted.status).toBe(200);
    // A forged or foreign device cookie is no exemption.
    expect(
      (await login(email, password, '192.0.2.10', '__Host-onasis_device=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))
        .status,
    ).toBe(429);
  });

  it('answers unknown emails exactly like accounts: the same 401s, then the same 429 with Retry-After', async () => {
    const { email } = await createUser();
    const known = await failures(email, 7, '198.51.100.7');
    const unknown = await failures(uniqueEmail('nobody'), 7, '198.51.100.8');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe('429 ACCOUNT_LOCKED true');
  });

  it('slows guesses spread over many networks to about one a minute, never locking a trusted device', async () => {
    const { id, email, password } = await createUser();
    const device = deviceCookieOf(await login(email, password, '203.0.113.1'));
    for (let i = 0; i < 20; i++) await login(email, 'wrong password', `10.${i}.0.1`);
    const fresh = await login(email, password, '172.16.5.5');
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await login(email, password, '172.16.5.5', device)).status).toBe(200);
    // The waits grow but stay capped: a network's never beyond 15 minutes.
    const stub = sessionsOf(env, id);
    for (let i = 0; i < 20; i++) await stub.recordFailure({ network: networkOf('10.99.0.1') });
    const until = await stub.lockedUntil({ network: networkOf('10.99.0.1') });
    expect((until ?? 0) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
  });

  it('counts re-authentication failures of a signed-in session apart from sign-ins', async () => {
    const { id, email, password } = await createUser();
    const stub = sessionsOf(env, id);
    for (let i = 0; i < 5; i++) await stub.recordFailure();
    expect(await stub.lockedUntil()).not.toBeNull();
    expect((await login(email, password, '203.0.113.9')).status).toBe(200);
  });

  it('groups IPv6 clients by /64 and IPv4 by /24', () => {
    expect(networkOf('2001:db8:1:2:aaaa::1')).toBe(networkOf('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(networkOf('2001:db8:1:2::1')).not.toBe(networkOf('2001:db8:1:3::1'));
    expect(networkOf('198.51.100.1')).toBe('198.51.100.0/24');
    expect(networkOf('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
    expect(networkOf(undefined)).toBe('unknown');
    expect(networkOf('not an ip')).toBe('unknown');
  });
});
