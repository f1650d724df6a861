import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** A call's state as a page shows it. */
export type Loaded<T> =
  | { status: 'loading'; data?: undefined; error?: undefined }
  | { status: 'ready'; data: T; error?: undefined }
  | { status: 'error'; data?: undefined; error: unknown };

/**
 * Runs `load` when `deps` change and on `reload()`; an answer that arrives after a newer call started is dropped,
 * so quick filter changes never show a stale list. With `keepWhileReloading`, a reload keeps showing the data it
 * had (a page that refreshes itself should not flash "Loading").
 */
export function useLoad<T>(
  load: () => Promise<T>,
  deps: unknown[],
  keepWhileReloading = false,
): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const latest = useRef(0);
  // The caller names what the load depends on: `load` itself is a new closure on every render.
  useEffect(() => {
    const call = ++latest.current;
    if (!keepWhileReloading) setState({ status: 'loading' });
    load().then(
      (data) => call === latest.current && setState({ status: 'ready', data }),
      (error: unknown) => call === latest.current && setState({ status: 'error', error }),
    );
  }, [...deps, version]);
  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return { ...state, reload };
}
