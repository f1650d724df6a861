// How the dashboard writes figures: the raw number stays in `data-value` for scripts and tests; people read these.

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/** 12345 → "12,345". */
export function count(n) {
  return integer.format(n);
}

/** A metric of the stats API as a card shows it. */
export function metric(name, n) {
  if (name === 'bounce_rate') return `${integer.format(n)}%`;
  if (name === 'visit_duration') return duration(n);
  return count(n);
}

/** Seconds → "2m 05s". */
export function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** `{ usd: 1250, eur: 300 }` (minor units) → "$12.50 · €3.00"; none → "0". */
export function money(byCurrency) {
  const parts = Object.entries(byCurrency ?? {}).map(([currency, minor]) => {
    try {
      const f = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
      const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
      return f.format(minor / 10 ** digits);
    } catch {
      return `${minor} ${currency}`;
    }
  });
  return parts.length ? parts.join(' · ') : '0';
}
