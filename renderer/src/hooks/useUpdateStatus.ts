/** The app's own update state, pushed by the shell; null in a browser, or until it answers. */
import { useEffect, useState } from 'react';
import { findUpdates, type FoundUpdates, type UpdateStatus } from '../api/byoiBridge';

export function useUpdateStatus(): { status: UpdateStatus | null; updates: FoundUpdates | null } {
  const [updates] = useState(() => findUpdates());
  const [status, setStatus] = useState<UpdateStatus | null>(null);
  useEffect(() => {
    if (!updates) return undefined;
    let live = true;
    const off = updates.onState((next) => live && setStatus(next));
    updates
      .state()
      .then((first) => live && setStatus((pushed) => pushed ?? first))
      .catch(() => undefined);
    return () => {
      live = false;
      off();
    };
  }, [updates]);
  return { status, updates };
}
