/**
 * An upstream route: one OpenAI-compatible provider as a {@link Route}. One try uses one key
 * (in turn); a key the provider refuses is disabled and a rate-limited one rests, and the
 * router decides whether to try again here (`retrySameRoute`) or elsewhere.
 */
import { createHash } from 'node:crypto';
import type { ModelPrice } from '../../common/protocol.js';
import {
  RouteFailure,
  type KeyState,
  type Route,
  type RouteCapacity,
  type RouteJob,
  type RouteSink,
  taskModel,
} from '../routing/route.js';
import type { ProviderRecord } from '../store/types.js';
import { KeyRing, type KeyLease } from './keyRing.js';
import {
  realTimers,
  unrefTimeout,
  type TimerHandle,
  type Timers,
} from '../../common/node/timers.js';
import { UpstreamClient, type UpstreamResult } from './upstreamClient.js';

/**
 * What makes a provider's route a different one: its URL, keys and models. A hash, so that
 * the keys are not copied into another plain string.
 */
export function providerFingerprint(record: ProviderRecord): string {
  return createHash('sha256')
    .update(JSON.stringify([record.baseUrl, record.apiKeys, record.models]))
    .digest('hex');
}

export interface UpstreamRouteOptions {
  /** Epoch ms (Date.now by default): key rests and `Retry-After` dates. */
  now?: () => number;
  timers?: Timers;
  /**
   * The route this one replaces (the provider's URL, keys or models changed): its tries in
   * flight still count against `maxConcurrent`, and its `onCapacity` carries over.
   */
  previous?: UpstreamRoute;
}

export class UpstreamRoute implements Route {
  readonly kind = 'upstream' as const;
  readonly id: string;
  readonly label: string;
  readonly nodeId = null;
  readonly ownerOrgId = null;
  readonly fingerprint: string;
  onCapacity?: () => void;

  private record: ProviderRecord;
  private readonly keys: KeyRing;
  readonly client: UpstreamClient;
  private readonly now: () => number;
  private readonly timers: Timers;
  /** Shared with the route this one replaced (and the one that replaces it). */
  private readonly flight: { count: number };
  private wake: { at: number; handle: TimerHandle } | null = null;
  /** This route's own tries in flight (its connections close when they end). */
  private own = 0;
  private retired = false;

  constructor(record: ProviderRecord, options: UpstreamRouteOptions = {}) {
    this.id = record.name;
    this.label = record.name;
    this.record = record;
    this.fingerprint = providerFingerprint(record);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.keys = new KeyRing(record.apiKeys, this.now);
    this.client = new UpstreamClient(record.baseUrl, this.now);
    this.flight = options.previous?.flight ?? { count: 0 };
    this.onCapacity = options.previous?.onCapacity;
  }

  get name(): string {
    return this.record.name;
  }

  get enabled(): boolean {
    return this.record.enabled;
  }

  get maxConcurrent(): number {
    return this.record.maxConcurrent;
  }

  /** The route's clock, epoch ms (what key rests are measured in). */
  clock(): number {
    return this.now();
  }

  /** Tries in flight now. */
  inFlight(): number {
    return this.flight.count;
  }

  /**
   * Takes a new record of the same provider with the same fingerprint (price, cost,
   * `maxConcurrent` or `enabled` changed): keys and tries in flight are kept.
   */
  update(record: ProviderRecord): void {
    if (providerFingerprint(record) !== this.fingerprint) {
      throw new RangeError('a provider with another URL, keys or models needs a new route');
    }
    const freed =
      record.maxConcurrent > this.record.maxConcurrent || (record.enabled && !this.record.enabled);
    this.record = record;
    if (freed) this.onCapacity?.();
  }

  models(): string[] {
    return Object.keys(this.record.models);
  }

  /** The provider's model id for a client-facing one. */
  providerModel(model: string): string | undefined {
    return Object.hasOwn(this.record.models, model) ? this.record.models[model] : undefined;
  }

  priceFor(model: string): ModelPrice | undefined {
    return this.providerModel(model) === undefined ? undefined : this.record.price;
  }

  costFor(model: string): ModelPrice | null {
    return this.providerModel(model) === undefined ? null : this.record.cost;
  }

  /** A provider answers for its own models: what it cannot do, it refuses with a 4xx. */
  supports(): boolean {
    return true;
  }

  capacity(model: string): RouteCapacity {
    if (!this.record.enabled || this.providerModel(model) === undefined) return 'unavailable';
    const usable = this.keys.usableCount();
    if (usable === 0 && this.keys.restingCount() === 0) return 'unavailable';
    if (this.flight.count >= this.record.maxConcurrent || usable === 0) return 'busy';
    return 'ready';
  }

  keyStates(): KeyState[] {
    return this.keys.states();
  }

  /** A key for a try that is not a completion (the health check), in turn with the others. */
  leaseKey(): KeyLease | null {
    return this.keys.next();
  }

  /**
   * The provider refused or rate-limited a key outside a try (the health check): the same
   * bookkeeping as in one. Returns whether another key is usable now.
   */
  keyRefused(
    lease: KeyLease,
    status: number,
    retryAfterMs: number | undefined,
    reason: string,
  ): boolean {
    if (status === 429) {
      this.keys.rest(lease.index, retryAfterMs, reason);
      this.armWake();
    } else {
      this.keys.disable(lease.index, reason);
    }
    return this.keys.usableCount() > 0;
  }

  /** Enables every key again (an explicit reload of the provider). */
  resetKeys(): void {
    this.keys.reset();
    this.onCapacity?.();
  }

  async run(job: RouteJob, sink: RouteSink): Promise<UpstreamResult> {
    const providerModel = this.providerModel(taskModel(job.task));
    if (providerModel === undefined) {
      throw new RouteFailure('the provider does not serve this model', 'rejected');
    }
    const lease = this.keys.next();
    if (!lease) {
      const back = this.keys.earliestReturn();
      if (back !== null) {
        throw new RouteFailure('every key of the provider is resting', 'busy', {
          retryAfterMs: Math.max(0, back - this.now()),
        });
      }
      throw new RouteFailure('the provider has no usable key', 'key');
    }
    this.flight.count++;
    this.own++;
    try {
      const result = await this.client.call(lease, providerModel, job, sink);
      this.keys.succeeded(lease.index);
      return result;
    } catch (error) {
      if (!(error instanceof RouteFailure) || error.kind !== 'key') throw error;
      const status = error.options.status ?? 0;
      const retrySameRoute = this.keyRefused(
        lease,
        status,
        error.options.retryAfterMs,
        error.message,
      );
      throw new RouteFailure(error.message, 'key', { ...error.options, retrySameRoute });
    } finally {
      this.flight.count--;
      this.own--;
      if (this.retired && this.own === 0) this.client.close();
      this.onCapacity?.();
    }
  }

  /**
   * The route was replaced or removed: its connections close once its tries end, and its
   * rest timer stops.
   */
  retire(): void {
    this.retired = true;
    if (this.wake) this.timers.clearTimeout(this.wake.handle);
    this.wake = null;
    if (this.own === 0) this.client.close();
  }

  /** A route that is logged or inspected shows no key. */
  toJSON(): { id: string; kind: 'upstream'; baseUrl: string; keys: KeyState[] } {
    return { id: this.id, kind: this.kind, baseUrl: this.record.baseUrl, keys: this.keyStates() };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `UpstreamRoute ${JSON.stringify(this.toJSON())}`;
  }

  /** Calls `onCapacity` when the first resting key comes back. */
  private armWake(): void {
    if (this.retired) return;
    const at = this.keys.earliestReturn();
    if (at === null || (this.wake && this.wake.at <= at)) return;
    if (this.wake) this.timers.clearTimeout(this.wake.handle);
    const handle = unrefTimeout(
      this.timers,
      () => {
        this.wake = null;
        this.onCapacity?.();
        this.armWake();
      },
      Math.max(0, at - this.now()),
    );
    this.wake = { at, handle };
  }
}
