/**
 * The router's book of route health: a {@link CircuitBreaker} per route and the speed the
 * gateway measured itself ({@link RouteStats}: per model and overall). Breaker changes are logged, and a breaker that closes wakes queued requests.
 */
import type { Logger } from '../../common/log.js';
import type { RouteView } from '../../common/adminRecords.js';
import { CircuitBreaker } from './circuitBreaker.js';
import { RouteStats, type SpeedStats } from './routeStats.js';
import type { Route } from './route.js';
import type { RouteHealth, TrySample } from './routeHealth.js';

/** Measured speed; undefined fields are not known yet. */
export type Speed = Partial<Pick<SpeedStats, 'ttftMs' | 'latencyMs' | 'tokensPerSecond'>>;

/** One route's health, as the dispatcher and the health checks use it. */
export class RouteHealthEntry {
  readonly breaker: CircuitBreaker;
  readonly stats = new RouteStats();

  constructor(routeId: string, logger: Logger, onClosed: () => void, now: () => number) {
    this.breaker = new CircuitBreaker(now, (change) => {
      if (change.state === 'open') {
        logger.warn('route breaker opened', {
          route: routeId,
          reason: change.reason,
          retryAt: new Date(change.retryAt).toISOString(),
        });
      } else {
        logger.info('route breaker closed', { route: routeId });
        onClosed();
      }
    });
  }

  allows = () => this.breaker.allows();
  acquire = () => this.breaker.acquire();
  release = () => this.breaker.release();
  failure = (reason: string) => this.breaker.recordFailure(reason);
  healthOk = () => this.breaker.healthOk();
  healthFailed = (reason: string) => this.breaker.healthFailed(reason);

  success(sample: TrySample, model: string): void {
    this.breaker.recordSuccess();
    this.stats.record(model, sample);
  }
}

export class HealthBook {
  private readonly entries = new Map<string, RouteHealthEntry>();

  constructor(
    private readonly logger: Logger,
    private readonly onClosed: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  of(route: Route): RouteHealthEntry {
    let entry = this.entries.get(route.id);
    if (!entry) {
      entry = new RouteHealthEntry(route.id, this.logger, this.onClosed, this.now);
      this.entries.set(route.id, entry);
    }
    return entry;
  }

  /** The health of `route` for one model: successes also fold into that model's speed. */
  forModel(route: Route, model: string): RouteHealth {
    const entry = this.of(route);
    return {
      allows: entry.allows,
      acquire: entry.acquire,
      release: entry.release,
      failure: entry.failure,
      success: (sample) => entry.success(sample, model),
    };
  }

  speed(route: Route, model: string): Speed {
    return this.entries.get(route.id)?.stats.get(model) ?? {};
  }

  view(route: Route, inFlight: number): RouteView {
    const entry = this.of(route);
    const { breaker } = entry;
    const overall = entry.stats.overall();
    const retryAt = breaker.retryAt();
    const round = (value: number | undefined) => (value === undefined ? null : +value.toFixed(2));
    return {
      id: route.id,
      kind: route.kind,
      label: route.label,
      nodeId: route.nodeId,
      models: route.models(),
      state: breaker.state(),
      retryAt: retryAt === null ? null : new Date(retryAt).toISOString(),
      lastError: breaker.lastError,
      lastErrorAt:
        breaker.lastErrorAt === null ? null : new Date(breaker.lastErrorAt).toISOString(),
      timeToFirstTokenMs: round(overall.ttftMs),
      latencyMs: round(overall.latencyMs),
      tokensPerSecond: round(overall.tokensPerSecond),
      inFlight,
      keys: route.keyStates(),
    };
  }
}
