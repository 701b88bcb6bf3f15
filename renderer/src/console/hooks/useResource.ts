/** Loads one admin resource, reloads on demand, and keeps its loading and error states. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toUiError, type UiError } from '../../stores/uiError';

export interface Resource<T> {
  data: T | null;
  loading: boolean;
  error: UiError | null;
  reload(): Promise<void>;
}

/**
 * `load` runs again whenever `deps` change, and every `refreshMs` when given (a live view);
 * null `load` waits (e.g. for an org pick).
 */
export function useResource<T>(
  load: (() => Promise<T>) | null,
  deps: readonly unknown[],
  refreshMs?: number,
): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const ticket = useRef(0);
  // A new function whenever deps change, even when `load` itself is the same one.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(() => (load ? load() : Promise.resolve(null as T)), deps);
  const reload = useCallback(async () => {
    if (!load) return;
    const mine = ++ticket.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine === ticket.current) {
        setData(value);
        setError(null);
      }
    } catch (caught) {
      if (mine === ticket.current) setError(toUiError(caught));
    } finally {
      if (mine === ticket.current) setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run]);
  useEffect(() => {
    setData(null);
    void reload();
    if (!refreshMs) return;
    const timer = setInterval(() => void reload(), refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  return { data, loading, error, reload };
}
