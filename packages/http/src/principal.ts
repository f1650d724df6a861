import type { Permission, Principal } from '@onasis/contracts';
import type { Context } from 'hono';
import { AppError } from './app-error.js';

/**
 * The verified caller of a forwarded request, or a 401. The gateway already enforces each route's policy; domain
 * Workers check again because their RPC surface can be called by other Workers too.
 */
export function requirePrincipal(c: Context): Principal {
  const principal = c.get('principal');
  if (!principal) throw new AppError('UNAUTHENTICATED', 'This endpoint needs a valid access token.');
  return principal;
}

/** The verified caller, who must hold `permission`; otherwise a 401 or 403. */
export function requirePermission(c: Context, permission: Permission): Principal {
  const principal = requirePrincipal(c);
  if (!principal.permissions.includes(permission))
    throw new AppError('FORBIDDEN', `This endpoint needs the ${permission} permission.`);
  return principal;
}
