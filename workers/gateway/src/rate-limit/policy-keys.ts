import type { Principal } from '@onasis/contracts';
import type { Policy } from './policy-parsing.js';

/**
 * The address a client connects from, as Cloudflare's edge sets it; `X-Forwarded-For` is the client's to write and is
 * never read. Without the header (local development and tests) every request shares the key `unknown`. IPv6 clients
 * are counted per /64, since one subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientAddress(header: string | undefined): string {
  if (!header) return 'unknown';
  return header.includes(':') ? ipv6Prefix(header) : header;
}

function ipv6Prefix(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const groups = head === '' ? [] : head.split(':');
  if (tail !== undefined && groups.length < 4) {
    const rest = tail === '' ? [] : tail.split(':');
    const missing = 8 - groups.length - rest.length;
    for (let i = 0; i < missing && groups.length < 4; i++) groups.push('0');
    for (const group of rest) if (groups.length < 4) groups.push(group);
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** The visible part of an API key (`onk_<prefix>`), which names the key without revealing its secret. */
function apiKeyId(authorization: string | undefined, xApiKey: string | undefined): string | undefined {
  const bearer = authorization?.replace(/^Bearer +/i, '');
  const key = bearer?.startsWith('onk_') ? bearer : xApiKey;
  if (!key?.startsWith('onk_')) return undefined;
  const end = key.indexOf('_', 4);
  return end > 4 ? key.slice(0, end) : undefined;
}

/** Where a request's headers are read from (Hono's request object). */
export interface HeaderSource {
  header(name: string): string | undefined;
}

/**
 * The limiter key of a request under `policy`, or `undefined` when the policy does not apply to it (`user` without a
 * signed-in caller). `user_or_ip` falls back to the address for anonymous callers; `api_key` gives each API key its
 * own budget and otherwise behaves as `user_or_ip`.
 */
export function keyOf(policy: Policy, principal: Principal | undefined, source: HeaderSource): string | undefined {
  switch (policy.key) {
    case 'ip':
      return `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
    case 'user':
      return principal ? `user:${principal.userId}` : undefined;
    case 'api_key': {
      if (principal?.via === 'api_key') {
        const id = apiKeyId(source.header('authorization'), source.header('x-api-key'));
        if (id !== undefined) return `key:${id}`;
      }
      return principal ? `user:${principal.userId}` : `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
    }
    default:
      return principal ? `user:${principal.userId}` : `ip:${clientAddress(source.header('cf-connecting-ip'))}`;
  }
}
