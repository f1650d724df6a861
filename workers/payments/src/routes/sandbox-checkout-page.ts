import type { CheckoutRow } from '../services/checkout-rows.js';
import { currencyRule } from '../services/currencies.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Minor units as a decimal amount with its code, e.g. `20.00 USD`. */
function money(amount: number, currency: string): string {
  const decimals = currencyRule(currency)?.decimals ?? 2;
  return `${(amount / 10 ** decimals).toFixed(decimals)} ${currency.toUpperCase()}`;
}

/**
 * No script, no style, no frames: the page only submits its two forms, to its own origin, whose answers redirect to
 * the session's own URLs (browsers check `form-action` on those redirects too).
 */
function cspOf(row: CheckoutRow): string {
  const origins = [row.successUrl, row.cancelUrl].map((u) => new URL(u).origin);
  return [
    "default-src 'none'",
    `form-action 'self' ${[...new Set(origins)].join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The sandbox's checkout page of a session, clearly labelled, with its items (or plan), total, Pay and Cancel. */
export function sandboxCheckoutPage(row: CheckoutRow): Response {
  const lines =
    row.mode === 'subscription'
      ? `<li>Plan ${escapeHtml(row.plan ?? '')}: ${money(row.amountTotal, row.currency)} per period</li>`
      : (row.lineItems ?? [])
          .map((i) => `<li>${escapeHtml(i.name)} × ${i.quantity}: ${money(i.amount * i.quantity, i.currency)}</li>`)
          .join('');
  const base = `/api/v1/payments/checkout-sessions/${encodeURIComponent(row.id)}/sandbox`;
  const body =
    row.status === 'open'
      ? `<form method="post" action="${base}/pay"><button type="submit">Pay ${money(row.amountTotal, row.currency)}</button></form>` +
        `<form method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>`
      : `<p>This checkout session is ${escapeHtml(row.status)}.</p>`;
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SANDBOX checkout</title></head><body>' +
    '<h1>SANDBOX checkout: no money moves</h1>' +
    '<p>This is the built-in payment sandbox of a local development platform, not a real payment page.</p>' +
    `<ul>${lines}</ul><p>Total: <strong>${money(row.amountTotal, row.currency)}</strong></p>${body}</body></html>`;
  return new Response(html, {
    status: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': cspOf(row),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  });
}
