/** Loads one admin resource, reloads on demand, and keeps its loading and error states. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toUiError, type UiError } from '../../stores/uiError';

export interface Resource<T> {
  data: T | null;
  loading: boolean;
  error: UiError | null;
  reload(): Promise<void>;
}

/** `load` runs again whenever `deps` change; null `load` waits (e.g. for an org pick). */
export function useResource<T>(
  load: (() => Promise<T>) | null,
  deps: readonly unknown[],
): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const ticket = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load ?? (async () => null as T), deps);
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
  }, [reload]);
  return { data, loading, error, reload };
}
