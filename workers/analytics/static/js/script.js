// Onasis Analytics tracker: cookieless page views and custom events. No dependencies, plain ES2017.
// <script defer data-domain="example.com" src="https://platform.example/js/script.js"></script>
// Custom events: onasis('Signup', { props: { plan: 'pro' }, revenue: { currency: 'EUR', amount: 9.5 }, callback })
// Calls made before it loads are queued by the snippet:
// window.onasis = window.onasis || function () { (onasis.q = onasis.q || []).push(arguments) }
(() => {
  const w = window;
  const d = document;
  const l = location;
  const s = d.currentScript;
  if (!s) return;
  const domain = s.getAttribute('data-domain') || l.hostname.replace(/^www\./, '');
  const api = s.getAttribute('data-api') || `${new URL(s.src).origin}/api/v1/analytics/events`;
  const local = /^(localhost|127(\.\d+){3}|\[::1\])$/.test(l.hostname) || l.protocol === 'file:';
  const off = local && !s.hasAttribute('data-include-localhost');
  let last;

  const track = (name, options) => {
    const o = options || {};
    const done = typeof o.callback === 'function' ? o.callback : () => {};
    if (off) return done({ ignored: true });
    const body = { name, url: l.href, domain, referrer: d.referrer || null };
    if (o.props) body.props = o.props;
    if (o.revenue) body.revenue = o.revenue;
    fetch(api, {
      method: 'POST',
      body: JSON.stringify(body),
      keepalive: true,
      headers: { 'Content-Type': 'text/plain' },
    }).then(
      (r) => done({ status: r.status }),
      (error) => done({ error }),
    );
  };

  // One page view per path: a replaceState that keeps the path (filters, scroll state) is no new page.
  const page = () => {
    if (last === l.pathname) return;
    last = l.pathname;
    track('pageview');
  };

  // biome-ignore lint/complexity/useOptionalChain: optional chaining is ES2020; the tracker is ES2017.
  const queued = (w.onasis && w.onasis.q) || [];
  w.onasis = track;
  for (const args of queued) track(...args);

  const h = w.history;
  for (const m of ['pushState', 'replaceState']) {
    const original = h[m];
    h[m] = function (...args) {
      const result = original.apply(this, args);
      page();
      return result;
    };
  }
  w.addEventListener('popstate', page);
  page();
})();
