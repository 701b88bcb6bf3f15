/**
 * Keeps nodes told what the network pays: a `market` frame to each node right after its
 * first `announce`, then to every node each interval, skipping nodes whose last figures are
 * still the same. Each node's frame carries its own standing too. `GET /v1/network/prices`
 * reads the same figures.
 */
import type { Logger } from '../../common/log.js';
import type { NodeStandingView } from '../../common/protocol.js';
import type { NodeSession } from '../link/nodeSession.js';
import type { GatewayStore } from '../store/types.js';
import { computeMarket, type MarketSnapshot } from './marketPrices.js';

export interface MarketFeedOptions {
  store: GatewayStore;
  /** The online sessions now (paused ones included). */
  sessions(): NodeSession[];
  /** How often every node gets the figures (when they changed for it). */
  intervalMs: number;
  logger: Logger;
  /** The clock (tests move it). */
  now?: () => Date;
  /** A node's standing (its score, rank and tokens served), sent with its figures. */
  standing?(nodeId: string): NodeStandingView;
}

export class MarketFeed {
  private readonly timer: NodeJS.Timeout;
  /** The figures (without their time) each session got last, to skip repeats. */
  private readonly sent = new WeakMap<NodeSession, string>();
  private readonly pending = new Set<Promise<unknown>>();
  private ticking = false;
  private closed = false;

  constructor(private readonly options: MarketFeedOptions) {
    this.timer = setInterval(() => this.tick(), options.intervalMs);
    this.timer.unref();
  }

  /** The figures now, computed fresh. */
  current(): Promise<MarketSnapshot> {
    const now = this.options.now?.() ?? new Date();
    return this.track(computeMarket(this.options.store, this.options.sessions(), now));
  }

  /**
   * Computes the figures and sends them to every online node that has announced and whose
   * last figures differ. Resolves with the figures and how many nodes got them.
   */
  async refresh(): Promise<MarketSnapshot & { sentTo: number }> {
    const snapshot = await this.current();
    let sentTo = 0;
    for (const session of this.options.sessions()) {
      if (session.announcedOnce && this.deliver(session, snapshot)) sentTo++;
    }
    return { ...snapshot, sentTo };
  }

  /** Sends fresh figures to one node (right after its first `announce`). */
  async welcome(session: NodeSession): Promise<void> {
    try {
      this.deliver(session, await this.current());
    } catch (error) {
      this.failed(error);
    }
  }

  /** Stops the interval and waits for figures being computed (before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.pending]);
  }

  /** Sends unless the session already has these figures; true when sent. */
  private deliver(session: NodeSession, snapshot: MarketSnapshot): boolean {
    const standing = this.options.standing?.(session.nodeId);
    const key = JSON.stringify([snapshot.models, standing]);
    if (this.closed || this.sent.get(session) === key) return false;
    const frame = { type: 'market' as const, models: snapshot.models, at: snapshot.at };
    if (!session.sendMarket(standing ? { ...frame, standing } : frame)) return false;
    this.sent.set(session, key);
    this.options.logger.info('market sent', {
      nodeId: session.nodeId,
      models: snapshot.models.length,
      ...(standing ? { score: standing.score, rank: standing.rank } : {}),
    });
    return true;
  }

  private tick(): void {
    // A slow database must not pile refreshes up.
    if (this.ticking || this.closed) return;
    this.ticking = true;
    this.refresh()
      .catch((error: unknown) => this.failed(error))
      .finally(() => (this.ticking = false));
  }

  private failed(error: unknown): void {
    if (this.closed) return; // the store is closing under us; nothing to tell
    this.options.logger.warn('market refresh failed', {
      error: error instanceof Error ? error.message : String(error),
    });
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = (): void => void this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
