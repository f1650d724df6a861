import { currencyRule } from '../services/currencies.js';

/** An amount as PayPal writes it: an upper-case code and a decimal string. */
export interface PayPalMoney {
  currency_code: string;
  value: string;
}

// PayPal takes no decimals for these, though the platform (as Stripe) counts them in hundredths.
const WHOLE_UNITS_ONLY = new Set(['huf', 'twd']);

const decimalsOf = (currency: string) => currencyRule(currency)?.decimals ?? 2;

/**
 * `minor` units of `currency` as PayPal's decimal string, by the currency's exponent (`2000` usd is `"20.00"`,
 * `500` jpy is `"500"`); null when PayPal cannot take the amount (a fraction of a forint).
 */
export function paypalMoney(minor: number, currency: string): PayPalMoney | null {
  const decimals = decimalsOf(currency);
  const code = currency.toUpperCase();
  if (WHOLE_UNITS_ONLY.has(currency)) {
    const unit = 10 ** decimals;
    return minor % unit === 0 ? { currency_code: code, value: String(minor / unit) } : null;
  }
  const digits = String(minor).padStart(decimals + 1, '0');
  const value = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return { currency_code: code, value };
}

/** PayPal's amount in the platform's minor units and lower-case code (`"20.00"` USD is 2000 usd). */
export function minorOf(money: Partial<PayPalMoney> | undefined): { amount: number; currency: string } {
  const currency = (money?.currency_code ?? '').toLowerCase();
  const decimals = decimalsOf(currency);
  const [whole = '0', fraction = ''] = (money?.value ?? '0').split('.');
  return {
    amount: Number(whole) * 10 ** decimals + Number(fraction.padEnd(decimals, '0').slice(0, decimals) || 0),
    currency,
  };
}
