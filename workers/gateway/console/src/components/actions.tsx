import { type ComponentChildren, h } from 'preact';
import { useState } from 'preact/hooks';
import { ProblemBox } from './problem-box.js';

/** A call the user started: whether it runs, and how it failed. */
export function useAction<A extends unknown[]>(run: (...args: A) => Promise<unknown>, onDone?: () => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return {
    busy,
    error,
    async start(...args: A): Promise<boolean> {
      setBusy(true);
      setError(null);
      try {
        await run(...args);
        onDone?.();
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}

/**
 * A button for a change; with `confirm`, a first press asks (inline, focusable) and only "Confirm" acts, so a stray
 * click or key never disables a user or refunds a payment. Failures show the problem under the button.
 */
export function ActionButton({
  label,
  confirm,
  run,
  onDone,
  danger = false,
}: {
  label: string;
  confirm?: string;
  run: () => Promise<unknown>;
  onDone?: () => void;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const action = useAction(run, onDone);
  const go = async () => {
    if (await action.start()) setAsking(false);
  };
  return (
    <span class="action">
      {asking ? (
        <fieldset class="confirm">
          <legend>{confirm}</legend>
          <button type="button" class={danger ? 'danger' : 'primary'} disabled={action.busy} onClick={go}>
            Confirm
          </button>
          <button type="button" onClick={() => setAsking(false)} disabled={action.busy}>
            Cancel
          </button>
        </fieldset>
      ) : (
        <button
          type="button"
          class={danger ? 'danger' : undefined}
          disabled={action.busy}
          onClick={() => (confirm ? setAsking(true) : void go())}
        >
          {label}
        </button>
      )}
      {action.error ? <ProblemBox error={action.error} title={`${label} failed`} /> : null}
    </span>
  );
}

/** A form whose submit runs `onSubmit(formData)`; the button is disabled while it runs and failures show below. */
export function Form({
  onSubmit,
  submitLabel,
  children,
  onDone,
  label,
}: {
  onSubmit: (form: FormData) => Promise<unknown>;
  submitLabel: string;
  children: ComponentChildren;
  onDone?: () => void;
  label?: string;
}) {
  const action = useAction(onSubmit, onDone);
  return (
    <form
      class="form"
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        void action.start(new FormData(event.currentTarget));
      }}
    >
      {children}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? 'Working…' : submitLabel}
        </button>
      </div>
      {action.error ? <ProblemBox error={action.error} /> : null}
    </form>
  );
}

/** A labelled input of a `<Form>`. */
export function Field({
  name,
  label,
  type = 'text',
  value,
  required,
  hint,
  autocomplete,
}: {
  name: string;
  label: string;
  type?: string;
  value?: string | number;
  required?: boolean;
  hint?: string;
  autocomplete?: string;
}) {
  const id = `field-${name}`;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {
        // `h` because preact's input typings pick allowed attributes by a literal `type`, and this one varies.
        h('input', {
          id,
          name,
          type,
          defaultValue: value === undefined ? undefined : String(value),
          required,
          autocomplete,
          'aria-describedby': hint ? `${id}-hint` : undefined,
        })
      }
      {hint ? (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      ) : null}
    </div>
  );
}

/** A page's title (its one `<h1>`) with an optional line under it and actions beside it. */
export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1>{title}</h1>
      {children}
    </header>
  );
}
