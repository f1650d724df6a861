import type { Principal } from '@onasis/contracts';
import { forgetApiKey, forgetApiKeysOf } from './api-keys.js';
import { forgetSession, forgetUser } from './session-status.js';

/**
 * After a revocation this isolate forwarded succeeded, its cached "live" answers (sessions, API keys) are dropped at
 * once, so the revoked credential stops working here immediately rather than at the end of the cache window (other
 * isolates take up to SESSION_STATUS_CACHE_SECONDS, or API_KEY_CACHE_MS for keys).
 */
export function forgetRevoked(method: string, path: string, principal: Principal): void {
  if (method === 'POST' && path === '/auth/logout' && principal.sessionId) forgetSession(principal.sessionId);
  else if (method === 'POST' && path === '/auth/logout-all') forgetUser(principal.userId);
  else if (method === 'DELETE' && path === USER_ME) {
    forgetUser(principal.userId);
    forgetApiKeysOf(principal.userId);
  } else if (method === 'DELETE' && path.startsWith(`${USER_ME}/sessions/`))
    forgetSession(path.slice(USER_ME.length + '/sessions/'.length));
  else if (method === 'DELETE' && path.startsWith(`${USER_ME}/api-keys/`))
    forgetApiKey(path.slice(USER_ME.length + '/api-keys/'.length));
  else if (method === 'PATCH' && path.startsWith('/api/v1/users/usr_')) {
    const userId = path.slice('/api/v1/users/'.length);
    forgetUser(userId);
    forgetApiKeysOf(userId);
  }
}

const USER_ME = '/api/v1/users/me';
