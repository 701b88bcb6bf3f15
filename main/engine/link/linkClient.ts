/**
 * The node's link to the gateway: dials out, authenticates with the node's key, announces
 * its models and prices, runs the jobs it accepts, and reconnects with exponential backoff
 * and full jitter. A close that says the key is unknown or revoked stops it for good (the user
 * must enroll again), and so does a protocol version the other side does not speak (the node
 * must be updated).
 */
import { EventEmitter } from 'node:events';
import {
  CloseCode,
  nodeFrameSchema,
  type GatewayFrame,
  type JobRejectReason,
  type MarketModel,
  type NodeStandingView,
  type Receipt,
  type RewardSplit,
} from '../../../common/protocol.js';
import { silentLogger, type Logger } from '../../../common/log.js';
import { realClock, type Clock, type TimerHandle } from '../../../common/node/timers.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import { linkURL, secureGatewayURL } from './gatewayURL.js';
import type { NodeIdentity } from './identity.js';
import type { JobEnd, LinkModel } from './jobRunner.js';
import {
  announceable,
  announceFrame,
  LinkConnection,
  type AnnouncedHardware,
  type AvailabilityFrame,
  type LinkClose,
  type RewardsFrame,
} from './linkConnection.js';
import { verifyReceipt } from './receipts.js';

export type { JobEnd, JobOutcome, LinkModel, LinkModelHost } from './jobRunner.js';
export type { AnnouncedHardware, LinkClose } from './linkConnection.js';

export type LinkState = 'connecting' | 'online' | 'offline';

/** Where the link stands, sent with every `state` event. */
export interface LinkStatus {
  state: LinkState;
  /** From the last welcome; null before the first. */
  nodeId: string | null;
  orgId: string | null;
  /** The network fee (basis points) from the last welcome, when the gateway said. */
  feeBasisPoints: number | null;
  /** The close code and reason, when offline. */
  code: number | null;
  reason: string | null;
  /** When offline: ms until the next attempt, or null when the link will not retry. */
  retryInMs: number | null;
  /** The gateway and this node speak different protocol versions: only an update helps. */
  updateRequired: boolean;
}

/** What happened to a receipt from the gateway. */
export interface ReceiptEvent {
  jobId: string;
  /**
   * `verified`: the signature is good but no store was given. `unknown`: asked for again
   * (`receipts.request`), the gateway said it has no receipt of this job for this node.
   */
  outcome: 'stored' | 'duplicate' | 'verified' | 'refused' | 'failed' | 'unknown';
  reason?: string;
}

/** Events of {@link LinkClient}. Listeners that throw are logged, never propagated. */
export interface LinkClientEvents {
  state: [LinkStatus];
  /** Every closed connection, with its code and reason. */
  closed: [LinkClose];
  /** Every accepted job, once its generation has stopped. */
  job: [JobEnd];
  /** Every offer this node refused, with the reason and the model asked for. */
  reject: [JobRejectReason, string];
  receipt: [ReceiptEvent];
  /** What the network pays, each time the gateway publishes it. */
  market: [MarketModel[]];
}

/** Where verified receipts go (the ledger). */
export interface ReceiptSink {
  /** Resolves false for a job whose receipt is already kept. */
  add(receipt: Receipt, signature: string): Promise<boolean>;
  /** Jobs still waiting for a receipt, oldest first, at most `limit`: asked for after relinking. */
  pending?(limit: number): readonly string[];
  /** Jobs the gateway said it has no receipt of: kept as discrepancies. */
  unknown?(jobIds: readonly string[]): void;
}

export interface LinkClientOptions {
  /** The gateway's http(s) URL (several instances comma-separated); the link dials ws(s)://…/v1/node/link. */
  gatewayURL: string;
  /** Allows plain ws:// to a gateway on another machine (a private network). */
  insecure?: boolean;
  identity: NodeIdentity;
  models: readonly LinkModel[];
  hardware: AnnouncedHardware;
  logger?: Logger;
  /** Sent in `hello`, e.g. `byoi-node/0.1.0`. */
  agent?: string;
  /** The receipt-signing key from enrollment. Without it, the key in the challenge is trusted. */
  gatewayPublicKey?: string;
  /** Where verified receipts are kept. */
  receipts?: ReceiptSink;
  /** Whether to take jobs from the start (default: serving). */
  availability?: { serving: boolean; reason: string };
  /** The provider's reward split, announced after each welcome. */
  rewards?: { split: RewardSplit; missionCause: string | null };
  backoff?: BackoffOptions;
  /** From dialing to welcome (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Unanswered pings that mean the link is dead (default 2). */
  missedPongLimit?: number;
  /**
   * Runs the link's timers: reconnect delays, the cut-off on stop, and each connection's
   * handshake deadline and heartbeat (default: the real clock).
   */
  clock?: Clock;
}

/** What to do about a revoked key: a revoked key cannot be enrolled again, a new one can. */
export function revokedAdvice(keyPath: string): string {
  return `the gateway revoked this node; to join again, move ${keyPath} aside (it is not deleted) and run 'byoi-node enroll' with a new code`;
}

/** How long `stop()` waits for the gateway to answer the close handshake before cutting it off. */
export const STOP_CUT_OFF_MS = 2000;

/** Close codes after which reconnecting cannot help, with what the user must do instead. */
function finalCloseAdvice(code: number, keyPath: string): string | null {
  switch (code) {
    case CloseCode.Revoked:
      return revokedAdvice(keyPath);
    case CloseCode.UnknownKey:
      return "the gateway does not know this node's key; enroll it with 'byoi-node enroll'";
    case CloseCode.UnsupportedVersion:
      return 'the gateway and this node speak different protocol versions; update the node';
    default:
      return null;
  }
}

/** The link to the gateway. Call `start()` once; `stop()` closes it for good. */
export class LinkClient extends EventEmitter<LinkClientEvents> {
  private models: readonly LinkModel[];
  private readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly gatewayURLs: string[];
  /** The index (mod the count) of the URL the next dial uses. */
  private nextURL = 0;
  private readonly clock: Clock;
  private connection: LinkConnection | undefined;
  private retryTimer: TimerHandle | undefined;
  private started = false;
  private stopped = false;
  private availability: AvailabilityFrame = { type: 'availability', serving: true, reason: '' };
  private rewards: RewardsFrame | null = null;
  private latestMarket: MarketModel[] = [];
  private latestStanding: { view: NodeStandingView; at: string } | null = null;
  private current: LinkStatus = {
    state: 'offline',
    nodeId: null,
    orgId: null,
    feeBasisPoints: null,
    code: null,
    reason: null,
    retryInMs: null,
    updateRequired: false,
  };

  constructor(private readonly options: LinkClientOptions) {
    super();
    this.models = options.models;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? realClock;
    if (options.availability) {
      this.setAvailability(options.availability.serving, options.availability.reason);
    }
    if (options.rewards) this.setRewards(options.rewards.split, options.rewards.missionCause);
    this.backoff = new Backoff(options.backoff);
    // Several instances of one gateway, comma-separated: a lost link dials the next.
    this.gatewayURLs = options.gatewayURL.split(',').map((url) => url.trim());
    for (const url of this.gatewayURLs) secureGatewayURL(url, options.insecure); // fail fast
    this.checkAnnounce(options.models);
  }

  /** The latest status (as last sent with `state`). */
  get status(): LinkStatus {
    return { ...this.current };
  }

  get state(): LinkState {
    return this.current.state;
  }

  /** Starts connecting; reconnects on its own until `stop()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect();
  }

  /**
   * Replaces the served models or their prices, and announces them again when online.
   * Throws when the list breaks the protocol's limits (e.g. a price above 1000).
   */
  updateModels(models: readonly LinkModel[]): void {
    this.checkAnnounce(models);
    this.models = models;
    this.connection?.announce();
  }

  /** Whether the gateway may offer jobs, and why not; sent now and on every reconnect. */
  setAvailability(serving: boolean, reason: string): void {
    const same = this.availability.serving === serving && this.availability.reason === reason;
    this.availability = { type: 'availability', serving, reason: reason.slice(0, 256) };
    if (!same) this.connection?.sendAvailability();
  }

  /** The provider's reward split, announced now and on every reconnect. */
  setRewards(split: RewardSplit, missionCause: string | null): void {
    this.rewards = { type: 'rewards', split, missionCause: missionCause?.slice(0, 128) ?? null };
    this.connection?.announce();
  }

  /** The network's prices, as last published by the gateway (empty before). */
  get market(): readonly MarketModel[] {
    return this.latestMarket;
  }

  /** This node's standing, as the gateway last sent it (null before, or from an older gateway). */
  get standing(): { view: NodeStandingView; at: string } | null {
    return this.latestStanding;
  }

  /** Link jobs accepted and still running. */
  get activeJobs(): number {
    return this.connection?.jobCount ?? 0;
  }

  /** Hands back jobs that have produced nothing yet (pausing); returns how many. */
  handBackJobs(reason: string): number {
    return this.connection?.handBackJobs(reason) ?? 0;
  }

  /** Stops every running job with a `node_paused` error; returns how many. */
  stopJobs(reason: string): number {
    return this.connection?.stopJobs(reason) ?? 0;
  }

  /** Closes the link (1001, going away), aborts its jobs and stops reconnecting. */
  async stop(reason = 'node shutting down'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retryTimer) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const connection = this.connection;
    if (!connection) {
      this.setStatus({ state: 'offline', code: CloseCode.GoingAway, reason, retryInMs: null });
      return;
    }
    connection.close(CloseCode.GoingAway, reason);
    // A gateway that does not answer the close handshake is cut off after two seconds.
    const cutOff = this.clock.setTimeout(
      () => connection.terminate({ code: CloseCode.GoingAway, reason }),
      STOP_CUT_OFF_MS,
    );
    await connection.closed;
    this.clock.clearTimeout(cutOff);
  }

  private checkAnnounce(models: readonly LinkModel[]): void {
    const unsafe = models.filter((model) => !announceable(model)).map((model) => model.host.id);
    if (unsafe.length > 0) {
      this.logger.warn(
        'not offering models whose names hold characters other than letters, digits and . _ : / @ + -; rename their files',
        { models: unsafe.join(' | ').slice(0, 512) },
      );
    }
    const parsed = nodeFrameSchema.safeParse(announceFrame(models, this.options.hardware));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `cannot announce these models: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
      );
    }
  }

  private emitSafe<K extends keyof LinkClientEvents>(event: K, ...args: LinkClientEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: LinkClientEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      this.logger.error(`a link '${String(event)}' listener failed`, { error: String(error) });
    }
  }

  private setStatus(change: Partial<LinkStatus>): void {
    this.current = { ...this.current, ...change };
    this.emitSafe('state', { ...this.current });
  }

  private connect(): void {
    if (this.stopped) return;
    this.setStatus({ state: 'connecting', code: null, reason: null, retryInMs: null });
    try {
      this.connection = this.dial();
    } catch (error) {
      this.onClose({ code: 1006, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private dial(): LinkConnection {
    return new LinkConnection({
      url: linkURL(this.gatewayURLs[this.nextURL++ % this.gatewayURLs.length]!),
      identity: this.options.identity,
      agent: this.options.agent ?? 'byoi-node',
      logger: this.logger,
      models: () => this.models,
      hardware: this.options.hardware,
      availability: () => this.availability,
      rewards: () => this.rewards,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs ?? 10_000,
      missedPongLimit: this.options.missedPongLimit ?? 2,
      clock: this.clock,
      onWelcome: (welcome) => {
        this.backoff.reset();
        const enrolledKey = this.options.gatewayPublicKey;
        if (enrolledKey && this.connection?.gatewayPublicKey !== enrolledKey) {
          this.logger.warn(
            "the gateway's key differs from the one at enrollment; its receipts will be refused",
          );
        }
        this.setStatus({
          state: 'online',
          nodeId: welcome.nodeId,
          orgId: welcome.orgId,
          feeBasisPoints: welcome.feeBasisPoints ?? null,
        });
      },
      pendingReceipts: (limit) => this.pendingReceipts(limit),
      onReceipt: (frame) => void this.onReceipt(frame),
      onReceiptsUnknown: ({ jobIds }) => this.onReceiptsUnknown(jobIds),
      onMarket: (frame) => {
        this.latestMarket = frame.models;
        if (frame.standing) this.latestStanding = { view: frame.standing, at: frame.at };
        this.emitSafe('market', frame.models);
      },
      onJobEnd: (end) => this.emitSafe('job', end),
      onReject: (reason, model) => this.emitSafe('reject', reason, model),
      onClose: (close) => this.onClose(close),
    });
  }

  private onClose(close: LinkClose): void {
    this.connection = undefined;
    this.emitSafe('closed', close);
    if (this.stopped) {
      this.setStatus({ state: 'offline', ...close, retryInMs: null });
      return;
    }
    const advice = finalCloseAdvice(close.code, this.options.identity.keyPath);
    if (advice) {
      this.logger.error(advice, { code: close.code, reason: close.reason });
      this.stopped = true;
      this.setStatus({
        state: 'offline',
        ...close,
        retryInMs: null,
        updateRequired: close.code === CloseCode.UnsupportedVersion,
      });
      return;
    }
    if (close.code === CloseCode.Replaced) {
      this.logger.warn(
        'another connection with this node key replaced this one; is byoi-node running twice with the same data folder?',
        { reason: close.reason },
      );
    }
    const delay = this.backoff.next();
    this.setStatus({ state: 'offline', ...close, retryInMs: delay });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private pendingReceipts(limit: number): readonly string[] {
    try {
      return this.options.receipts?.pending?.(limit) ?? [];
    } catch (error) {
      this.logger.error('could not list the jobs waiting for a receipt', { error: String(error) });
      return [];
    }
  }

  private onReceiptsUnknown(jobIds: string[]): void {
    this.logger.warn('the gateway has no receipt of some jobs', { jobs: jobIds.length });
    try {
      this.options.receipts?.unknown?.(jobIds);
    } catch (error) {
      this.logger.error('could not mark jobs the gateway does not know', { error: String(error) });
    }
    for (const jobId of jobIds) this.emitSafe('receipt', { jobId, outcome: 'unknown' });
  }

  private async onReceipt(frame: Extract<GatewayFrame, { type: 'receipt' }>): Promise<void> {
    const { receipt, signature } = frame;
    const report = (outcome: ReceiptEvent['outcome'], reason?: string) => {
      if (outcome === 'refused' || outcome === 'failed') {
        this.logger.warn(`receipt ${outcome}`, { jobId: receipt.jobId, reason });
      } else if (outcome === 'stored') {
        this.logger.info('receipt stored', {
          jobId: receipt.jobId,
          creditedNanos: receipt.creditedNanos,
        });
      } else {
        this.logger.debug(`receipt ${outcome}`, { jobId: receipt.jobId });
      }
      this.emitSafe('receipt', { jobId: receipt.jobId, outcome, ...(reason ? { reason } : {}) });
    };
    const key = this.options.gatewayPublicKey ?? this.connection?.gatewayPublicKey;
    if (!key || !verifyReceipt(receipt, signature, key)) return report('refused', 'bad signature');
    if (receipt.nodeId !== this.current.nodeId) return report('refused', 'for another node');
    const store = this.options.receipts;
    if (!store) return report('verified');
    try {
      report((await store.add(receipt, signature)) ? 'stored' : 'duplicate');
    } catch (error) {
      report('failed', error instanceof Error ? error.message : String(error));
    }
  }
}
