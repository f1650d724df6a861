import { h } from 'preact';
import { useLocation } from 'preact-iso';
import { useLoad } from './use-load.js';

/** One page of a platform list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The current URL's query and a way to change it: filters live in the URL, so every view is a shareable link. */
export function useUrlQuery() {
  const { path, query, route } = useLocation();
  return {
    query: query as Record<string, string | undefined>,
    /** Merges `changes` into the query (empty or undefined values drop out) and navigates there. */
    set(changes: Record<string, string | undefined>, replace = false) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries({ ...query, ...changes })) {
        if (value) params.set(key, value);
      }
      const search = params.toString();
      route(search ? `${path}?${search}` : path, replace);
    },
  };
}

/**
 * A list page's data: `load(filters, cursor)` runs again whenever one of the URL's `filters` or its `cursor`
 * changes. Filter changes start again from the first page.
 */
export function useList<T>(
  filters: readonly string[],
  load: (values: Record<string, string | undefined>, cursor: string | undefined) => Promise<Page<T>>,
) {
  const url = useUrlQuery();
  const values = Object.fromEntries(filters.map((name) => [name, url.query[name] || undefined]));
  const cursor = url.query.cursor || undefined;
  const state = useLoad(() => load(values, cursor), [...filters.map((name) => values[name]), cursor]);
  return {
    ...state,
    filters: values,
    cursor,
    setFilters: (changes: Record<string, string | undefined>) => url.set({ ...changes, cursor: undefined }),
    next: () => state.status === 'ready' && state.data.nextCursor && url.set({ cursor: state.data.nextCursor }),
    first: () => url.set({ cursor: undefined }),
  };
}

/** "First page" / "Next page" under a list; the cursor is in the URL, so the browser's Back button goes back. */
export function Pager({ list }: { list: ReturnType<typeof useList<unknown>> | ReturnType<typeof useList<never>> }) {
  if (list.status !== 'ready') return null;
  const more = list.data.nextCursor !== null;
  if (!list.cursor && !more) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={list.first} disabled={!list.cursor}>
        First page
      </button>
      <button type="button" onClick={list.next} disabled={!more}>
        Next page
      </button>
    </nav>
  );
}

/** One filter of a `<FilterBar>`: a text/search/date input, or a select when `options` are given. */
export interface FilterField {
  name: string;
  label: string;
  type?: 'text' | 'search' | 'date' | 'datetime-local' | 'email';
  options?: readonly (readonly [value: string, label: string])[];
  placeholder?: string;
}

/** The filters of a list, read from and written to the URL on submit. */
export function FilterBar({
  fields,
  list,
}: {
  fields: FilterField[];
  list: { filters: Record<string, string | undefined>; setFilters: (c: Record<string, string | undefined>) => void };
}) {
  const onSubmit = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    list.setFilters(
      Object.fromEntries(fields.map((f) => [f.name, String(form.get(f.name) ?? '').trim() || undefined])),
    );
  };
  return (
    <search>
      <form class="filters" onSubmit={onSubmit}>
        {fields.map((field) => {
          const id = `filter-${field.name}`;
          const value = list.filters[field.name] ?? '';
          return (
            <div class="field" key={`${field.name}:${value}`}>
              <label for={id}>{field.label}</label>
              {field.options ? (
                // Uncontrolled, as the inputs are: the URL's value is the initially selected option (a select's
                // `defaultValue` is not applied, and a `value` would hold it against the user's choice).
                <select id={id} name={field.name}>
                  {field.options.map(([v, label]) => (
                    <option key={v} value={v} selected={v === value}>
                      {label}
                    </option>
                  ))}
                </select>
              ) : (
                h('input', {
                  id,
                  name: field.name,
                  type: field.type ?? 'text',
                  defaultValue: value,
                  placeholder: field.placeholder,
                })
              )}
            </div>
          );
        })}
        <button type="submit">Apply</button>
      </form>
    </search>
  );
}
