/**
 * Upstream health checks shared by a cluster: of all instances, the one that takes a
 * provider's lease (a row updated only when the last check is older than the interval)
 * checks it and stores the result; the others read that result, so that every instance's
 * breaker sees it while the provider gets one `GET /models` per interval.
 */
import type { ClusterStore } from '../store/cluster.js';
import { checkProvider, type HealthResult } from '../upstream/healthCheck.js';
import type { UpstreamRoute } from '../upstream/upstreamRoute.js';

type Check = (route: UpstreamRoute, timeoutMs: number) => Promise<HealthResult>;

/** A check for `HealthChecker` that runs `check` only under the provider's lease. */
export function sharedHealthCheck(
  store: Pick<ClusterStore, 'healthLease' | 'storeHealth' | 'sharedHealth'>,
  instanceId: string,
  intervalMs: number,
  check: Check = checkProvider,
): Check {
  // A little under the interval, so that the holder's next round (an interval after its
  // last one ended) finds the lease free rather than losing it to timing.
  const leaseMs = Math.max(1, Math.floor(intervalMs * 0.9));
  return async (route, timeoutMs) => {
    if (await store.healthLease(route.id, instanceId, leaseMs)) {
      const result = await check(route, timeoutMs);
      await store.storeHealth(route.id, instanceId, result);
      return result;
    }
    const shared = await store.sharedHealth(route.id);
    // None finished yet (the first check is under way elsewhere): no news counts as up.
    return shared
      ? { ok: shared.ok, error: shared.error, latencyMs: shared.latencyMs }
      : { ok: true, error: null, latencyMs: 0 };
  };
}
