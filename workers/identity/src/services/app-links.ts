/** A link into the client app carrying a one-time token. */
export function linkTo(env: IdentityEnv, page: string, token: string): string {
  return `${env.APP_URL.replace(/\/$/, '')}/${page}?token=${encodeURIComponent(token)}`;
}
