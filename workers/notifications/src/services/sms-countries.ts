/**
 * `SMS_ALLOWED_COUNTRIES`, parsed: the calling-code prefixes (digits after the `+`, e.g. `1`, `44`, or `1416` for
 * one area) a number must start with before the platform texts it, or `*` for any. Empty or absent allows none:
 * every text costs money, and SMS pumping makes an unlisted, premium-rate destination the attacker's income.
 */
function smsPrefixes(raw: string | undefined): string[] | '*' {
  const entries = (raw ?? '')
    .split(',')
    .map((e) => e.trim().replace(/^\+/, ''))
    .filter((e) => e.length > 0);
  if (entries.includes('*')) return '*';
  return entries.filter((e) => /^[1-9]\d{0,5}$/.test(e));
}

/** Whether the E.164 number `phone` is in a country (or area) the allow-list names. */
export function smsAllowed(phone: string, raw: string | undefined): boolean {
  const prefixes = smsPrefixes(raw);
  if (prefixes === '*') return true;
  return prefixes.some((p) => phone.startsWith(`+${p}`));
}
