/**
 * Referrer hosts of well-known sources and the name they are counted under. A key is a host (matching it and its
 * subdomains) or `label.*` (that label followed by any top-level domain, such as `google.co.uk`). Hosts not listed
 * count under their own name, without `www.`.
 */
export const KNOWN_SOURCES: Readonly<Record<string, string>> = {
  'google.*': 'Google',
  'bing.com': 'Bing',
  'duckduckgo.com': 'DuckDuckGo',
  'yandex.*': 'Yandex',
  'baidu.com': 'Baidu',
  'ecosia.org': 'Ecosia',
  'search.brave.com': 'Brave Search',
  'facebook.com': 'Facebook',
  'fb.me': 'Facebook',
  'instagram.com': 'Instagram',
  't.co': 'Twitter',
  'twitter.com': 'Twitter',
  'x.com': 'Twitter',
  'linkedin.com': 'LinkedIn',
  'lnkd.in': 'LinkedIn',
  'reddit.com': 'Reddit',
  'github.com': 'GitHub',
  'youtube.com': 'YouTube',
  'youtu.be': 'YouTube',
  'news.ycombinator.com': 'Hacker News',
  'chatgpt.com': 'ChatGPT',
};

// A top-level domain as `label.*` accepts it: `com`, `de`, `co.uk`, `com.au`.
const TLD = /^[a-z]{2,3}(\.[a-z]{2})?$/;

/** The well-known source a referrer host belongs to, or null. */
export function knownSourceOf(host: string): string | null {
  const labels = host.split('.');
  for (let i = 0; i < labels.length; i++) {
    const exact = KNOWN_SOURCES[labels.slice(i).join('.')];
    if (exact) return exact;
    const brand = KNOWN_SOURCES[`${labels[i]}.*`];
    if (brand && TLD.test(labels.slice(i + 1).join('.'))) return brand;
  }
  return null;
}
