/** Runs a user action (a save, a call) and keeps its pending state and error for the form. */
import { useCallback, useRef, useState } from 'react';
import { toUiError, type UiError } from '../stores/uiError';

export interface ActionState {
  pending: boolean;
  error: UiError | null;
  /** Set after the last run succeeded, until the next run. */
  done: boolean;
  /** How many times it was run or failed: lets a test wait for this submit's outcome. */
  attempts: number;
  /** Runs `work`; resolves with its value, or undefined when it threw (see `error`). */
  run<T>(work: () => Promise<T>): Promise<T | undefined>;
  /** Shows an error found before calling anything (a form check). */
  fail(error: UiError): void;
}

export function useAction(): ActionState {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<UiError | null>(null);
  const [done, setDone] = useState(false);
  const [attempts, setAttempts] = useState(0);
  const runs = useRef(0);

  const run = useCallback(async <T>(work: () => Promise<T>) => {
    const ticket = ++runs.current;
    setAttempts((count) => count + 1);
    setPending(true);
    setError(null);
    setDone(false);
    try {
      const value = await work();
      if (ticket === runs.current) setDone(true);
      return value;
    } catch (caught) {
      if (ticket === runs.current) setError(toUiError(caught));
      return undefined;
    } finally {
      if (ticket === runs.current) setPending(false);
    }
  }, []);

  const fail = useCallback((value: UiError) => {
    setAttempts((count) => count + 1);
    setDone(false);
    setError(value);
  }, []);

  return { pending, error, done, attempts, run, fail };
}
