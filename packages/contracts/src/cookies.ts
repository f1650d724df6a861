/**
 * Browsers may hold their session in cookies instead of handling tokens: identity sets them when a sign-in or
 * refresh asks for `cookie: true`, and the gateway accepts the access cookie where no Authorization header is sent.
 * Both are `__Host-` cookies (Secure, Path=/, no Domain) and HttpOnly, so page scripts never see the tokens.
 */
export const SESSION_COOKIES = {
  /** The access token (15 minutes); SameSite=Lax. Sent as `__Host-onasis_at`. */
  access: 'onasis_at',
  /** The refresh token; SameSite=Strict, so no cross-site request carries it. Sent as `__Host-onasis_rt`. */
  refresh: 'onasis_rt',
} as const;
