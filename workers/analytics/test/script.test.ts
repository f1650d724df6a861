import { afterEach, describe, expect, it } from 'vitest';

// The tracker is a browser script: here it runs against a minimal window (the browser test drives a real one).
interface Sent {
  url: string;
  init: RequestInit;
  body: Record<string, unknown>;
}

const realFetch = globalThis.fetch;
const g = globalThis as unknown as Record<string, unknown>;
let runs = 0;

afterEach(() => {
  globalThis.fetch = realFetch;
  for (const name of ['window', 'document', 'location']) delete g[name];
});

/** Loads the tracker afresh on `pageUrl` with `attributes` on its script tag; answers what it sent and its window. */
async function runTracker(
  pageUrl: string,
  attributes: Record<string, string>,
  before?: (win: Record<string, unknown>) => void,
) {
  const sent: Sent[] = [];
  const page = new URL(pageUrl);
  const location = {
    get href() {
      return page.href;
    },
    get pathname() {
      return page.pathname;
    },
    get hostname() {
      return page.hostname;
    },
    get protocol() {
      return page.protocol;
    },
  };
  const go = (url: string) => {
    page.href = new URL(url, page.href).href;
  };
  const listeners = new Map<string, () => void>();
  const win: Record<string, unknown> = {
    history: {
      pushState: (_s: unknown, _t: string, url: string) => go(url),
      replaceState: (_s: unknown, _t: string, url: string) => go(url),
    },
    addEventListener: (type: string, fn: () => void) => listeners.set(type, fn),
  };
  before?.(win);
  g.window = win;
  g.location = location;
  g.document = {
    referrer: 'https://news.ycombinator.com/item?id=1',
    currentScript: {
      src: 'https://platform.example/js/script.js',
      getAttribute: (name: string) => attributes[name] ?? null,
      hasAttribute: (name: string) => name in attributes,
    },
  };
  globalThis.fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, init, body: JSON.parse(String(init.body)) });
    return new Response(null, { status: 202 });
  }) as typeof fetch;
  runs += 1;
  const path = `../static/js/script.js?run=${runs}`;
  await import(/* @vite-ignore */ path);
  const history = win.history as {
    pushState(s: unknown, t: string, u: string): void;
    replaceState(s: unknown, t: string, u: string): void;
  };
  return { sent, win, history, go, popstate: () => listeners.get('popstate')?.() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the tracking script', () => {
  it('weighs under 2 KB gzipped', async () => {
    const path = '../static/js/script.js?raw';
    const { default: source } = (await import(/* @vite-ignore */ path)) as { default: string };
    const gzipped = await new Response(
      new Blob([source]).stream().pipeThrough(new CompressionStream('gzip')),
    ).arrayBuffer();
    expect(source).toContain("'text/plain'");
    expect(gzipped.byteLength).toBeLessThan(2048);
  });

  it('sends a page view on load as text/plain to the script’s own origin, with domain and referrer', async () => {
    const { sent } = await runTracker('https://www.example.com/pricing?x=1', { 'data-domain': 'example.com' });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://platform.example/api/v1/analytics/events');
    expect(sent[0]?.init).toMatchObject({ method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' } });
    expect(sent[0]?.body).toEqual({
      name: 'pageview',
      url: 'https://www.example.com/pricing?x=1',
      domain: 'example.com',
      referrer: 'https://news.ycombinator.com/item?id=1',
    });
  });

  it('follows SPA navigations once per path: pushState, replaceState to a new path, popstate', async () => {
    const t = await runTracker('https://example.com/', {
      'data-domain': 'example.com',
      'data-api': 'https://a.example/e',
    });
    t.history.pushState({}, '', '/docs');
    t.history.replaceState({}, '', '/docs?tab=2');
    t.history.replaceState({}, '', '/docs/intro');
    t.go('/');
    t.popstate();
    t.popstate();
    expect(t.sent.map((s) => [s.url, s.body.url])).toEqual([
      ['https://a.example/e', 'https://example.com/'],
      ['https://a.example/e', 'https://example.com/docs'],
      ['https://a.example/e', 'https://example.com/docs/intro'],
      ['https://a.example/e', 'https://example.com/'],
    ]);
  });

  it('sends custom events with props and revenue, calls back, and replays calls queued before it loaded', async () => {
    const results: unknown[] = [];
    const t = await runTracker('https://example.com/', { 'data-domain': 'example.com' }, (win) => {
      win.onasis = { q: [['Early', { props: { from: 'queue' } }]] };
    });
    (t.win.onasis as (n: string, o: unknown) => void)('Signup', {
      props: { plan: 'pro' },
      revenue: { currency: 'EUR', amount: 9.5 },
      callback: (r: unknown) => results.push(r),
    });
    await settle();
    expect(t.sent.map((s) => s.body.name)).toEqual(['Early', 'pageview', 'Signup']);
    expect(t.sent[0]?.body.props).toEqual({ from: 'queue' });
    expect(t.sent[2]?.body).toMatchObject({ props: { plan: 'pro' }, revenue: { currency: 'EUR', amount: 9.5 } });
    expect(results).toEqual([{ status: 202 }]);
  });

  it('sends nothing from localhost unless data-include-localhost is set', async () => {
    const results: unknown[] = [];
    const quiet = await runTracker('http://localhost:5173/', { 'data-domain': 'example.com' });
    (quiet.win.onasis as (n: string, o: unknown) => void)('Click', { callback: (r: unknown) => results.push(r) });
    expect(quiet.sent).toEqual([]);
    expect(results).toEqual([{ ignored: true }]);
    const loud = await runTracker('http://127.0.0.1:8787/', {
      'data-domain': 'example.com',
      'data-include-localhost': '',
    });
    expect(loud.sent).toHaveLength(1);
  });
});
