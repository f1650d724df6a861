import { useState } from 'preact/hooks';
import { client } from '../../api.js';
import { useAction } from '../../components/actions.js';
import { money } from '../../components/format.js';
import { ProblemBox } from '../../components/problem-box.js';
import type { Payment } from './payment-bits.js';

/** How many minor units a currency has (2 for USD, 0 for JPY), as the browser's Intl knows it. */
function digitsOf(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** "12.5" in `currency` as minor units (1250); null when it is not a positive amount with at most its decimals. */
export function toMinorUnits(text: string, currency: string): number | null {
  const digits = digitsOf(currency);
  const match = /^(\d+)(?:[.,](\d+))?$/.exec(text.trim());
  if (!match || (match[2]?.length ?? 0) > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number((match[2] ?? '').padEnd(digits, '0') || 0);
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/**
 * Refund all that is left, or a part: the amount is asked in the payment's currency, then confirmed before anything
 * moves. The client sends an Idempotency-Key with the POST and keeps it across its retries, so a retried refund
 * never refunds twice.
 */
export function RefundForm({ payment, onDone }: { payment: Payment; onDone: () => void }) {
  const left = payment.amountCaptured - payment.amountRefunded;
  const [asking, setAsking] = useState<{ amount: number | undefined; reason: string } | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useAction(
    (ask: { amount: number | undefined; reason: string }) =>
      client.POST('/api/v1/payments/intents/{id}/refunds', {
        params: { path: { id: payment.id } },
        body: { amount: ask.amount, reason: ask.reason || undefined },
      }),
    () => {
      setAsking(null);
      onDone();
    },
  );
  if (left <= 0) return <p class="hint">Nothing is left to refund.</p>;
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = String(form.get('amount') ?? '').trim();
    const amount = text === '' ? undefined : toMinorUnits(text, payment.currency);
    if (amount === null || (amount !== undefined && amount > left)) {
      setInvalid(`Enter an amount from ${money(1, payment.currency)} to ${money(left, payment.currency)}.`);
      return;
    }
    setInvalid(null);
    setAsking({ amount, reason: String(form.get('reason') ?? '').trim() });
  };
  return (
    <div class="refund-form">
      <form class="form" aria-label="Refund" onSubmit={onSubmit}>
        <div class="field">
          <label for="refund-amount">Amount ({payment.currency.toUpperCase()})</label>
          <input
            id="refund-amount"
            name="amount"
            inputMode="decimal"
            aria-describedby="refund-amount-hint"
            aria-invalid={invalid ? true : undefined}
            disabled={asking !== null}
          />
          <small id="refund-amount-hint" class="hint">
            Empty: all that is left, {money(left, payment.currency)}.
          </small>
        </div>
        <div class="field">
          <label for="refund-reason">Reason (optional)</label>
          <input id="refund-reason" name="reason" maxLength={500} disabled={asking !== null} />
        </div>
        {invalid && (
          <p class="problem" role="alert">
            {invalid}
          </p>
        )}
        {asking === null && (
          <div class="form-actions">
            <button type="submit" class="danger">
              Refund
            </button>
          </div>
        )}
      </form>
      {asking && (
        <fieldset class="confirm">
          <legend>
            Refund {money(asking.amount ?? left, payment.currency)} of {money(payment.amount, payment.currency)}? This
            cannot be undone.
          </legend>
          <button type="button" class="danger" disabled={action.busy} onClick={() => void action.start(asking)}>
            Confirm refund
          </button>
          <button type="button" disabled={action.busy} onClick={() => setAsking(null)}>
            Cancel
          </button>
        </fieldset>
      )}
      {action.error ? <ProblemBox error={action.error} title="Refund failed" /> : null}
    </div>
  );
}
