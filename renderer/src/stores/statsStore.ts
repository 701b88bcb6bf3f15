/** Served-request stats by bucket size (`getStats`). */
import { create } from 'zustand';
import type { StatsBucket, StatsBucketSize } from '../../../common/nodeApi';
import { nodeClient } from '../api/clientRegistry';
import { toUiError, type UiError } from './uiError';

interface StatsState {
  bucket: StatsBucketSize;
  data: StatsBucket[] | null;
  loading: boolean;
  error: UiError | null;
  /** Loads the buckets of the chosen size. */
  load(): Promise<void>;
  setBucket(bucket: StatsBucketSize): Promise<void>;
}

let latest = 0;

export const useStats = create<StatsState>()((set, get) => ({
  bucket: 'minute',
  data: null,
  loading: false,
  error: null,
  load: async () => {
    const ticket = ++latest;
    const { bucket } = get();
    set({ loading: true });
    try {
      const data = await nodeClient().call('getStats', { bucket });
      if (ticket === latest) set({ data, loading: false, error: null });
    } catch (error) {
      if (ticket === latest) set({ loading: false, error: toUiError(error) });
    }
  },
  setBucket: async (bucket) => {
    set({ bucket, data: null });
    await get().load();
  },
}));
