/**
 * A site domain in its one stored spelling: lower-case host name, punycode for IDNs, without scheme, port, path,
 * trailing dot or `www.`; null when `input` is no host name. `https://www.Example.com:8443/x` → `example.com`.
 */
export function normaliseDomain(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '' || trimmed.length > 300) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let host: string;
  try {
    host = new URL(withScheme).hostname;
  } catch {
    return null;
  }
  host = host.replace(/\.$/, '');
  if (host.startsWith('www.')) host = host.slice(4);
  // Host names only: no IP literals, no single label, letters, digits and hyphens between dots.
  const labels = host.split('.');
  if (labels.length < 2 || host.length > 253) return null;
  if (!labels.every((l) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return null;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  return host;
}
