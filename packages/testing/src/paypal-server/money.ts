import type { Money } from './state.js';

// PayPal's currencies and how it writes amounts: a decimal string, no decimals at all for JPY, HUF and TWD.

// biome-ignore format: a table of codes
const SUPPORTED = new Set([
  'AUD', 'BRL', 'CAD', 'CNY', 'CZK', 'DKK', 'EUR', 'HKD', 'HUF', 'ILS', 'JPY', 'MYR', 'MXN', 'TWD', 'NZD', 'NOK',
  'PHP', 'PLN', 'GBP', 'SGD', 'SEK', 'CHF', 'THB', 'USD',
]);
const NO_DECIMALS = new Set(['JPY', 'HUF', 'TWD']);

/** Why an amount is refused (PayPal's issue and description), or its value in the currency's smallest unit. */
export type Parsed = { ok: true; minor: number; currency: string } | { ok: false; issue: string; description: string };

/** Reads `{ currency_code, value }` as PayPal validates it. */
export function parseMoney(money: unknown): Parsed {
  const { currency_code: currency, value } = (money ?? {}) as Partial<Money>;
  if (typeof currency !== 'string' || typeof value !== 'string') {
    return { ok: false, issue: 'MISSING_REQUIRED_PARAMETER', description: 'amount.currency_code and amount.value.' };
  }
  if (!SUPPORTED.has(currency)) {
    return { ok: false, issue: 'CURRENCY_NOT_SUPPORTED', description: `Currency code ${currency} is not supported.` };
  }
  const decimals = NO_DECIMALS.has(currency) ? 0 : 2;
  const match = /^(\d{1,10})(?:\.(\d+))?$/.exec(value);
  if (!match || (match[2] ?? '').length > decimals) {
    return {
      ok: false,
      issue: 'DECIMAL_PRECISION',
      description: `${currency} takes at most ${decimals} decimal places: ${value}.`,
    };
  }
  const minor = Number(match[1]) * 10 ** decimals + Number((match[2] ?? '').padEnd(decimals, '0') || '0');
  if (minor <= 0) return { ok: false, issue: 'CANNOT_BE_ZERO_OR_NEGATIVE', description: 'Must be greater than zero.' };
  return { ok: true, minor, currency };
}

/** An amount in the currency's smallest unit, as PayPal writes it. */
export function moneyOf(minor: number, currency: string): Money {
  const decimals = NO_DECIMALS.has(currency) ? 0 : 2;
  const digits = String(minor).padStart(decimals + 1, '0');
  const value = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return { currency_code: currency, value };
}
