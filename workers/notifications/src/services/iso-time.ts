/** Now as an ISO timestamp, the format every time column holds (so that string order is time order). */
export function isoNow(now = Date.now()): string {
  return new Date(now).toISOString();
}
