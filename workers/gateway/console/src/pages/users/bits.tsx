import type { components } from '@onasis/client';

/** A user as the API answers it. */
export type User = components['schemas']['User'];

/** A user's status as a badge: the word, never colour alone. */
export function StatusBadge({ status }: { status: User['status'] }) {
  return (
    <span class={`badge ${status === 'active' ? 'ok' : 'bad'}`}>{status === 'active' ? 'Active' : 'Disabled'}</span>
  );
}

/** A yes/no fact as a short word. */
export function YesNo({ value, yes = 'Yes', no = 'No' }: { value: boolean; yes?: string; no?: string }) {
  return <span class={value ? 'badge ok' : 'muted'}>{value ? yes : no}</span>;
}

/**
 * A group of labelled checkboxes named `name` (read back with `FormData.getAll(name)`); `idPrefix` keeps ids unique
 * when one page has several such groups.
 */
export function Checkboxes({
  legend,
  name,
  options,
  checked,
  idPrefix,
  disabled = false,
}: {
  legend: string;
  name: string;
  options: readonly string[];
  checked: readonly string[];
  idPrefix: string;
  disabled?: boolean;
}) {
  return (
    <fieldset class="checks">
      <legend>{legend}</legend>
      {options.map((option) => {
        const id = `${idPrefix}-${option.replace(/[^a-z0-9-]/gi, '-')}`;
        return (
          <span class="check" key={option}>
            <input
              type="checkbox"
              id={id}
              name={name}
              value={option}
              defaultChecked={checked.includes(option)}
              disabled={disabled}
            />
            <label for={id}>{option}</label>
          </span>
        );
      })}
    </fieldset>
  );
}

/** The strings a form sent under `name` (checkboxes). */
export function allOf(form: FormData, name: string): string[] {
  return form.getAll(name).map(String);
}
