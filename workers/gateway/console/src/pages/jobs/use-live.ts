import { useEffect, useRef, useState } from 'preact/hooks';
import type { Loaded } from '../../components/use-load.js';

/**
 * Like `useLoad`, but while `pending(data)` holds it asks again every `everyMs` without going back to "loading", so
 * a job page follows its job (queued → running → succeeded) and the reader keeps their place.
 */
export function useLive<T>(
  load: () => Promise<T>,
  deps: unknown[],
  pending: (data: T) => boolean,
  everyMs = 1500,
): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const shown = useRef<unknown[]>([]);
  // The caller names what the load depends on: `load` itself is a new closure on every render.
  useEffect(() => {
    const call = ++latest.current;
    const fresh = deps.some((d, i) => d !== shown.current[i]);
    shown.current = deps;
    if (fresh) setState({ status: 'loading' });
    load().then(
      (data) => call === latest.current && setState({ status: 'ready', data }),
      (error: unknown) => call === latest.current && setState({ status: 'error', error }),
    );
  }, [...deps, tick]);
  useEffect(() => {
    if (state.status !== 'ready' || !pending(state.data)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), everyMs);
    return () => clearTimeout(timer);
  }, [state]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
