/** Calls `load` now and every `intervalMs` while the component is mounted. */
import { useEffect, useRef } from 'react';

export function usePolling(load: () => unknown, intervalMs: number, enabled = true): void {
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    if (!enabled) return;
    void latest.current();
    const timer = setInterval(() => void latest.current(), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, enabled]);
}
