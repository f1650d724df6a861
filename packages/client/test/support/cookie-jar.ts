/**
 * A fetch that keeps cookies as a browser does for a call with `credentials: 'include'`: Set-Cookie answers are
 * stored and sent back, but only on requests that ask for credentials, so a test fails when the client forgets to.
 */
export function cookieJarFetch() {
  const jar = new Map<string, string>();
  const fetchWithCookies: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    if (request.credentials === 'include' && jar.size > 0) {
      request.headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(request);
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  return { fetch: fetchWithCookies, jar };
}
