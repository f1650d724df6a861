/**
 * The ISO 4217 currencies a payment may be made in, with how many minor units make one major unit and the smallest
 * amount a provider accepts. Amounts are always integers in minor units: ¥500 is 500, $5.00 is 500.
 */
interface CurrencyRule {
  /** Digits after the decimal point: 0 for jpy, 2 for usd, 3 for kwd. */
  decimals: 0 | 2 | 3;
  /** Smallest amount in minor units (Stripe's minimum charge, about half a dollar). */
  min: number;
}

/** The largest amount in minor units any provider takes in one payment (Stripe's eight digits). */
export const MAX_AMOUNT = 99_999_999;

// biome-ignore format: a table of codes
const ZERO_DECIMAL = [
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf'
];
const THREE_DECIMAL = ['bhd', 'jod', 'kwd', 'omr', 'tnd'];
// biome-ignore format: a table of codes
const TWO_DECIMAL = [
  'aed', 'all', 'amd', 'ang', 'aoa', 'ars', 'aud', 'awg', 'azn', 'bam', 'bbd', 'bdt', 'bgn', 'bmd', 'bnd', 'bob',
  'brl', 'bsd', 'bwp', 'byn', 'bzd', 'cad', 'cdf', 'chf', 'cny', 'cop', 'crc', 'cve', 'czk', 'dkk', 'dop', 'dzd',
  'egp', 'etb', 'eur', 'fjd', 'fkp', 'gbp', 'gel', 'gip', 'gmd', 'gtq', 'gyd', 'hkd', 'hnl', 'htg', 'huf', 'idr',
  'ils', 'inr', 'isk', 'jmd', 'kes', 'kgs', 'khr', 'kyd', 'kzt', 'lak', 'lbp', 'lkr', 'lrd', 'lsl', 'mad', 'mdl',
  'mkd', 'mmk', 'mnt', 'mop', 'mur', 'mvr', 'mwk', 'mxn', 'myr', 'mzn', 'nad', 'ngn', 'nio', 'nok', 'npr', 'nzd',
  'pab', 'pen', 'pgk', 'php', 'pkr', 'pln', 'qar', 'ron', 'rsd', 'rub', 'sar', 'sbd', 'scr', 'sek', 'sgd', 'shp',
  'sle', 'sos', 'srd', 'szl', 'thb', 'tjs', 'top', 'try', 'ttd', 'twd', 'tzs', 'uah', 'usd', 'uyu', 'uzs', 'wst',
  'xcd', 'yer', 'zar', 'zmw'
];

// Minimums that differ from "50 minor units": currencies whose unit is worth much less (or more) than a dollar.
const MIN_OVERRIDES: Record<string, number> = { gbp: 30, krw: 700, clp: 500, vnd: 15_000, huf: 17_500, idr: 8_000 };

const RULES = new Map<string, CurrencyRule>([
  ...ZERO_DECIMAL.map((c) => [c, { decimals: 0 as const, min: MIN_OVERRIDES[c] ?? 50 }] as const),
  ...TWO_DECIMAL.map((c) => [c, { decimals: 2 as const, min: MIN_OVERRIDES[c] ?? 50 }] as const),
  // Three-decimal amounts are still counted in thousandths; half a unit is about a dollar.
  ...THREE_DECIMAL.map((c) => [c, { decimals: 3 as const, min: 500 }] as const),
]);

/** The rule of a lower-case currency code, or undefined for one the platform does not take. */
export function currencyRule(code: string): CurrencyRule | undefined {
  return RULES.get(code);
}

/** Why `amount` is outside the limits of `currency`, or null when it is inside them. */
export function amountProblem(amount: number, currency: string): string | null {
  const rule = RULES.get(currency);
  if (!rule) return null;
  if (amount < rule.min) return `Below the ${currency} minimum of ${rule.min} minor units.`;
  if (amount > MAX_AMOUNT) return `Above the maximum of ${MAX_AMOUNT} minor units.`;
  return null;
}
