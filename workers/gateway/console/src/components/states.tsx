import type { ComponentChildren } from 'preact';
import { ProblemBox } from './problem-box.js';
import type { Loaded } from './use-load.js';

/** A polite "loading" line that screen readers announce. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

/** What an empty list says instead of an empty table. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Renders `children(data)` once `state` is ready; loading and failure look the same on every page. */
export function Show<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'error') return <ProblemBox error={state.error} />;
  return <>{children(state.data)}</>;
}
