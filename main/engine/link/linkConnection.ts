/**
 * One WebSocket connection to the gateway: the challenge–hello–welcome handshake, the
 * announce, heartbeats, and the job frames. Every incoming frame is validated; a bad one
 * closes this connection with a reason. Nothing here throws out of a socket event.
 */
import WebSocket from 'ws';
import {
  challengeSigningBytes,
  CloseCode,
  GATEWAY_FEATURE_RECEIPTS_REQUEST,
  MAX_FRAME_BYTES,
  MAX_RECEIPT_REQUEST_IDS,
  MODEL_CAPABILITIES,
  RECEIPT_REQUESTS_PER_LINK,
  SAFE_ID_PATTERN,
  PROTOCOL_VERSION,
  type GatewayFrame,
  type JobRejectReason,
  type NodeFrame,
} from '../../../common/protocol.js';
import type { Logger } from '../../../common/log.js';
import {
  realClock,
  unrefTimeout,
  type Clock,
  type TimerHandle,
} from '../../../common/node/timers.js';
import { closeReason, decodeGatewayFrame, encodeNodeFrame } from './frames.js';
import type { NodeIdentity } from './identity.js';
import { JobRunner, type JobEnd, type LinkModel } from './jobRunner.js';

type Welcome = Extract<GatewayFrame, { type: 'welcome' }>;
type ReceiptFrame = Extract<GatewayFrame, { type: 'receipt' }>;
type MarketFrame = Extract<GatewayFrame, { type: 'market' }>;
type ReceiptsUnknownFrame = Extract<GatewayFrame, { type: 'receipts.unknown' }>;
/** What the node tells the gateway after each announce and whenever it changes. */
export type AvailabilityFrame = Extract<NodeFrame, { type: 'availability' }>;
export type RewardsFrame = Extract<NodeFrame, { type: 'rewards' }>;

/** The hardware line of the announce. */
export interface AnnouncedHardware {
  summary: string;
  backend: string;
}

/** How a connection ended: the close code and reason (ours when we closed it). */
export interface LinkClose {
  code: number;
  reason: string;
}

export interface LinkConnectionOptions {
  url: string;
  identity: NodeIdentity;
  agent: string;
  logger: Logger;
  models(): readonly LinkModel[];
  hardware: AnnouncedHardware;
  /** Whether the node takes jobs now, and why (sent after the announce). */
  availability(): AvailabilityFrame;
  /** The provider's reward split, when set (sent after the announce). */
  rewards(): RewardsFrame | null;
  /** Time allowed from dialing to `welcome`. */
  handshakeTimeoutMs: number;
  /** Unanswered pings after which the link is declared dead. */
  missedPongLimit: number;
  /** Runs the handshake deadline and the heartbeat (default: the real clock). */
  clock?: Clock;
  onWelcome(welcome: Welcome): void;
  /**
   * The jobs still waiting for their receipt, oldest first, at most `limit`: asked for again
   * after a welcome whose gateway supports `receipts.request`.
   */
  pendingReceipts(limit: number): readonly string[];
  onReceipt(frame: ReceiptFrame): void;
  onReceiptsUnknown(frame: ReceiptsUnknownFrame): void;
  onMarket(frame: MarketFrame): void;
  onJobEnd(end: JobEnd): void;
  onReject(reason: JobRejectReason, model: string): void;
  onClose(close: LinkClose): void;
}

/** The feature this node announces: it continues a stream another node began. */
export const NODE_FEATURE_CONTINUATION = 'continuation';

/**
 * Whether the link can announce this model: its id (the file name) holds only the protocol's
 * safe characters. Others are still served locally, never on the network.
 */
export function announceable(model: LinkModel): boolean {
  return SAFE_ID_PATTERN.test(model.host.id);
}

/** The `announce` frame for these models (those {@link announceable}) and hardware. */
export function announceFrame(
  models: readonly LinkModel[],
  hardware: AnnouncedHardware,
): Extract<NodeFrame, { type: 'announce' }> {
  return {
    type: 'announce',
    models: models.filter(announceable).map((model) => ({
      id: model.host.id,
      price: model.price,
      slots: model.slots,
      contextLength: model.contextLength,
      // Every model node-llama-cpp serves here can do all of it (see jobRunner.ts).
      capabilities: [...MODEL_CAPABILITIES],
      ...(model.sha256 ? { sha256: model.sha256 } : {}),
    })),
    hardware: { summary: hardware.summary.slice(0, 512), backend: hardware.backend.slice(0, 32) },
    features: [NODE_FEATURE_CONTINUATION],
  };
}

/** One dial to the gateway, from connecting until closed. Never reused. */
export class LinkConnection {
  private readonly ws: WebSocket;
  private readonly jobs: JobRunner;
  private phase: 'challenge' | 'welcome' | 'online' | 'closing' = 'challenge';
  private ourClose: LinkClose | undefined;
  private readonly clock: Clock;
  private handshakeTimer: TimerHandle | undefined;
  private heartbeat: TimerHandle | undefined;
  private missedPongs = 0;
  private lastError: string | undefined;
  /** The key the gateway named in its challenge. */
  gatewayPublicKey: string | undefined;
  /** Resolves once the socket is closed. */
  readonly closed: Promise<LinkClose>;

  constructor(private readonly options: LinkConnectionOptions) {
    const { logger } = options;
    this.clock = options.clock ?? realClock;
    this.jobs = new JobRunner({
      send: (frame) => this.send(frame),
      backlog: () => this.ws.bufferedAmount,
      models: options.models,
      pausedReason: () => {
        const availability = options.availability();
        return availability.serving ? null : availability.reason;
      },
      logger,
      onJobEnd: options.onJobEnd,
      onReject: options.onReject,
    });
    this.ws = new WebSocket(options.url, {
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: options.handshakeTimeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });
    // ws's own `handshakeTimeout` (real time) bounds only the HTTP upgrade; this bounds the
    // whole handshake, up to the welcome, on the injected clock.
    this.handshakeTimer = this.clock.setTimeout(
      () => this.close(CloseCode.HandshakeTimeout, 'no welcome from the gateway in time'),
      options.handshakeTimeoutMs,
    );
    this.ws.on('message', (data, isBinary) => {
      try {
        const decoded = decodeGatewayFrame(data, isBinary);
        if (!decoded.ok) {
          logger.warn('bad frame from the gateway', { ...decoded.fault });
          this.close(decoded.fault.code, decoded.fault.reason);
        } else {
          this.onFrame(decoded.frame);
        }
      } catch (error) {
        logger.error('link frame handling failed', { error: String(error) });
        this.close(CloseCode.BadFrame, 'the node could not handle a frame');
      }
    });
    this.ws.on('pong', () => (this.missedPongs = 0));
    this.ws.on('error', (error) => {
      this.lastError = error.message;
      logger.debug('link socket error', { error: error.message });
    });
    let resolveClosed!: (close: LinkClose) => void;
    this.closed = new Promise((resolve) => (resolveClosed = resolve));
    this.ws.on('close', (code, reasonBuffer) => {
      this.stopTimers();
      this.jobs.abortAll('the link to the gateway closed');
      // With no reason from the gateway (refused, unreachable, cut off), say what ws saw.
      const reason = reasonBuffer.toString('utf8') || this.lastError || '';
      const close = this.ourClose ?? { code, reason };
      resolveClosed(close);
      try {
        options.onClose(close);
      } catch (error) {
        logger.error('link close listener failed', { error: String(error) });
      }
    });
  }

  private stopTimers(): void {
    this.clearHandshakeTimer();
    if (this.heartbeat) this.clock.clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer) this.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private onFrame(frame: GatewayFrame): void {
    if (this.phase === 'closing') return;
    if (this.phase === 'challenge' && frame.type === 'challenge') {
      if (frame.v !== PROTOCOL_VERSION) {
        this.close(
          CloseCode.UnsupportedVersion,
          `the gateway speaks protocol v${frame.v}; this node speaks v${PROTOCOL_VERSION}`,
        );
        return;
      }
      this.gatewayPublicKey = frame.gatewayPublicKey;
      this.phase = 'welcome';
      this.send({
        type: 'hello',
        v: PROTOCOL_VERSION,
        publicKey: this.options.identity.publicKey,
        signature: this.options.identity.sign(challengeSigningBytes(frame.nonce)),
        agent: this.options.agent.slice(0, 128),
      });
      return;
    }
    if (this.phase === 'welcome' && frame.type === 'welcome') {
      this.phase = 'online';
      this.clearHandshakeTimer();
      this.startHeartbeat(frame.heartbeatMs);
      this.announce();
      this.options.onWelcome(frame);
      if (frame.features?.includes(GATEWAY_FEATURE_RECEIPTS_REQUEST)) this.requestReceipts();
      return;
    }
    if (this.phase === 'online') {
      if (frame.type === 'job.offer') return this.jobs.offer(frame);
      if (frame.type === 'job.cancel') return this.jobs.cancel(frame.jobId, frame.reason);
      if (frame.type === 'receipt') return this.options.onReceipt(frame);
      if (frame.type === 'receipts.unknown') return this.options.onReceiptsUnknown(frame);
      if (frame.type === 'market') return this.options.onMarket(frame);
    }
    this.close(
      CloseCode.UnexpectedFrame,
      `unexpected '${frame.type}' frame before or after the handshake`,
    );
  }

  private startHeartbeat(heartbeatMs: number): void {
    const every = Math.min(Math.max(heartbeatMs, 10), 2 ** 31 - 1);
    // One timer re-armed after each beat (as setInterval did, every `every` ms); the open
    // socket, not the heartbeat, keeps the process alive.
    const beat = () => {
      this.heartbeat = unrefTimeout(this.clock, beat, every);
      if (this.ws.readyState !== WebSocket.OPEN) return;
      if (this.missedPongs >= this.options.missedPongLimit) {
        this.options.logger.warn('the gateway stopped answering pings', {
          missedPongs: this.missedPongs,
        });
        this.terminate({ code: 1006, reason: `no pong for ${this.missedPongs} heartbeats` });
        return;
      }
      this.missedPongs++;
      this.ws.ping();
    };
    this.heartbeat = unrefTimeout(this.clock, beat, every);
  }

  /** Sends the announce, availability and rewards (again, after any of them changed). */
  announce(): void {
    if (this.phase !== 'online') return;
    this.send(announceFrame(this.options.models(), this.options.hardware));
    this.sendAvailability();
    const rewards = this.options.rewards();
    if (rewards) this.send(rewards);
  }

  /** Asks for the receipts the node missed (the oldest first, within the gateway's budget). */
  private requestReceipts(): void {
    const pending = this.options.pendingReceipts(
      MAX_RECEIPT_REQUEST_IDS * RECEIPT_REQUESTS_PER_LINK,
    );
    for (let start = 0; start < pending.length; start += MAX_RECEIPT_REQUEST_IDS) {
      const jobIds = pending.slice(start, start + MAX_RECEIPT_REQUEST_IDS);
      this.send({ type: 'receipts.request', jobIds });
    }
  }

  /** Tells the gateway whether to offer this node jobs. */
  sendAvailability(): void {
    if (this.phase !== 'online') return;
    this.send(this.options.availability());
  }

  /** Hands back the jobs that have produced nothing yet; returns how many. */
  handBackJobs(reason: string): number {
    return this.jobs.handBack(reason);
  }

  /** Stops every running job with an error; returns how many. */
  stopJobs(reason: string): number {
    return this.jobs.stopAll(reason);
  }

  /** Jobs accepted and not yet ended. */
  get jobCount(): number {
    return this.jobs.size;
  }

  /** Whether the handshake is done and the link is not closing. */
  get isOnline(): boolean {
    return this.phase === 'online';
  }

  private send(frame: NodeFrame): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const encoded = encodeNodeFrame(frame);
    if (!encoded.ok) {
      this.options.logger.error('dropped a frame that breaks the protocol', {
        type: frame.type,
        error: encoded.error,
      });
      return;
    }
    this.ws.send(encoded.text, (error) => {
      if (error) this.options.logger.debug('link send failed', { error: error.message });
    });
  }

  /** Closes the link with a code and reason; running jobs are aborted. */
  close(code: number, reason: string): void {
    if (this.phase === 'closing') return;
    this.phase = 'closing';
    this.ourClose ??= { code, reason };
    this.stopTimers();
    this.jobs.abortAll(reason);
    try {
      this.ws.close(code, closeReason(reason));
    } catch {
      this.ws.terminate();
    }
  }

  /** Drops the socket at once, without a close handshake. */
  terminate(close: LinkClose): void {
    this.phase = 'closing';
    this.ourClose ??= close;
    this.stopTimers();
    this.jobs.abortAll(close.reason);
    this.ws.terminate();
  }
}
