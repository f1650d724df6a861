// A local OpenID provider for the end-to-end suite's social login. A test chooses who signs in, as a person would
// on the provider's page, with a `login_as` parameter (JSON claims) on the authorization URL it follows.
import { Events, type MutableRedirectUri, type MutableToken, OAuth2Server } from 'oauth2-mock-server';

/** Starts the provider on a free loopback port; resolves to its issuer URL and a stop function. */
export async function startOidcProvider(): Promise<{ issuer: string; stop: () => Promise<void> }> {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  const claimsByCode = new Map<string, Record<string, unknown>>();
  server.service.on(Events.BeforeAuthorizeRedirect, ({ url }: MutableRedirectUri, req: { url?: string }) => {
    const code = url.searchParams.get('code');
    const raw = new URL(req.url ?? '/', 'http://provider').searchParams.get('login_as');
    if (code && raw) claimsByCode.set(code, JSON.parse(raw) as Record<string, unknown>);
  });
  server.service.on(Events.BeforeTokenSigning, (token: MutableToken, req: { body?: Record<string, unknown> }) => {
    const code = req.body?.code;
    Object.assign(token.payload, typeof code === 'string' ? claimsByCode.get(code) : undefined);
  });
  await server.start(0, '127.0.0.1');
  const address = server.address();
  const issuer = `http://127.0.0.1:${address.port}`;
  server.issuer.url = issuer;
  return { issuer, stop: () => server.stop() };
}
