/** A new prefixed opaque id, e.g. `dlv_3f9c…`. */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** Now as an ISO timestamp, the format every time column holds (so that string order is time order). */
export function isoNow(now = Date.now()): string {
  return new Date(now).toISOString();
}
