/**
 * The public origin that signed URLs point at: PUBLIC_URL when set, else the origin the request came in on (the
 * gateway forwards the client's Host; a forwarded request's own URL has an internal origin).
 */
export function publicOrigin(env: Pick<FilesEnv, 'PUBLIC_URL'>, request: Request): string {
  if (env.PUBLIC_URL) return env.PUBLIC_URL.replace(/\/+$/, '');
  const url = new URL(request.url);
  const host = request.headers.get('host') ?? url.host;
  const local = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(host);
  return `${local ? 'http' : 'https'}://${host}`;
}
