/**
 * The upstream routes, one per provider, rebuilt from the store's provider records. A
 * provider whose URL, keys and models are unchanged keeps its route, and with it its key
 * states (disabled, resting) and tries in flight; a changed one gets a new route that still
 * counts the old one's tries in flight against `maxConcurrent`.
 */
import type { ProviderRecord } from '../store/types.js';
import type { Timers } from '../../common/node/timers.js';
import { providerFingerprint, UpstreamRoute } from './upstreamRoute.js';

export interface ProviderRoutesOptions {
  /** Epoch ms, for the routes' key rests. */
  now?: () => number;
  timers?: Timers;
}

export class ProviderRoutes {
  private readonly byName = new Map<string, UpstreamRoute>();
  private enabled: UpstreamRoute[] = [];

  constructor(private readonly options: ProviderRoutesOptions = {}) {}

  /** Builds or replaces the routes from every provider record; providers not listed go away. */
  load(records: readonly ProviderRecord[]): void {
    const seen = new Set<string>();
    for (const record of records) {
      seen.add(record.name);
      const current = this.byName.get(record.name);
      if (current && current.fingerprint === providerFingerprint(record)) {
        current.update(record);
        continue;
      }
      const route = new UpstreamRoute(record, { ...this.options, previous: current });
      this.byName.set(record.name, route);
      current?.retire();
    }
    for (const [name, route] of this.byName) {
      if (seen.has(name)) continue;
      this.byName.delete(name);
      route.retire();
    }
    this.enabled = [...this.byName.values()].filter((route) => route.enabled);
  }

  /** The enabled providers' routes. */
  routes(): UpstreamRoute[] {
    return this.enabled;
  }

  /** A provider's route, enabled or not. */
  get(name: string): UpstreamRoute | undefined {
    return this.byName.get(name);
  }

  /** Closes every route's connections (once their tries end). */
  close(): void {
    for (const route of this.byName.values()) route.retire();
    this.byName.clear();
    this.enabled = [];
  }
}
