import { createOnasisClient } from '@onasis/client';

/** Where the sign-in page sends the user back to: only a console path, never another site. */
export function safeNext(next: string | null | undefined): string {
  return next && /^\/console(?:[/?#]|$)/.test(next) ? next : '/console';
}

/** The sign-in page, coming back to the current page afterwards. */
export function goToSignIn(): void {
  if (location.pathname === '/console/sign-in') return;
  const next = location.pathname + location.search;
  location.assign(`/console/sign-in?next=${encodeURIComponent(next)}`);
}

/**
 * The console's one client: the platform's HttpOnly `__Host-` session cookies carry the session (no token ever in
 * JavaScript or storage), and same-origin writes carry the Origin the gateway's CSRF check asks for.
 */
export const client = createOnasisClient({ session: 'cookie', onSessionExpired: goToSignIn });
