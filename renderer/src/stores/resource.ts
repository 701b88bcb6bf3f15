/**
 * A store for one thing the engine owns: its last value, whether a load is running, and the
 * last load's error. Newer loads win over slower older ones.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import { toUiError, type UiError } from './uiError';

export interface ResourceState<T> {
  data: T | null;
  loading: boolean;
  error: UiError | null;
  /** Loads again; resolves with the value, or null when it failed (see `error`). */
  load(): Promise<T | null>;
  /** Replaces the value (from a pushed event or an action's answer). */
  set(data: T): void;
}

export type ResourceStore<T> = UseBoundStore<StoreApi<ResourceState<T>>>;

export function createResource<T>(fetch: () => Promise<T>): ResourceStore<T> {
  let latest = 0;
  return create<ResourceState<T>>()((set) => ({
    data: null,
    loading: false,
    error: null,
    load: async () => {
      const ticket = ++latest;
      set({ loading: true });
      try {
        const data = await fetch();
        if (ticket === latest) set({ data, loading: false, error: null });
        return data;
      } catch (error) {
        if (ticket === latest) set({ loading: false, error: toUiError(error) });
        return null;
      }
    },
    set: (data) => set({ data, error: null }),
  }));
}
