/**
 * One authenticated node link: what the node announced, whether it is serving or paused, its
 * jobs in flight, and liveness (its reward split goes to the store). Job frames reach only
 * the job's own listener, so a node can never touch another node's job; frames for jobs it
 * does not (or no longer) hold are ignored. Control frames (`announce`, `availability`,
 * `rewards`) have a budget per link: over it, the latest of each type waits (coalesced).
 * `receipts.request` has a small budget of its own: over it, a request is ignored.
 */
import type { WebSocket } from 'ws';
import type { ChatDelta } from '../../common/chatDelta.js';
import {
  CloseCode,
  RECEIPT_REQUESTS_PER_LINK,
  type AnnouncedModel,
  type GatewayFrame,
  type JobRejectReason,
  type ModelPrice,
  type NodeFrame,
  type Receipt,
} from '../../common/protocol.js';
import type { Logger } from '../../common/log.js';
import { realClock, unrefTimeout, type Clock, type TimerHandle } from '../../common/node/timers.js';
import { RepeatLog } from '../../common/repeatLog.js';
import type { NodeRecord, NodeRewards } from '../store/types.js';
import type { Task } from '../routing/route.js';
import {
  CoalescingBudget,
  frameBudgetLimits,
  TokenBucket,
  type FrameBudgetLimits,
} from './frameBudget.js';
import { closeReason } from './frames.js';

export type JobDoneFrame = Extract<NodeFrame, { type: 'job.done' }>;
export type JobErrorBody = Extract<NodeFrame, { type: 'job.error' }>['error'];
/** The frames about one job, which go to that job's listener. */
type JobFrame = Extract<NodeFrame, { jobId: string }>;
type MarketFrame = Extract<GatewayFrame, { type: 'market' }>;
type ControlFrame = Extract<NodeFrame, { type: 'announce' | 'availability' | 'rewards' }>;

/** `receipts.request` frames a link may send at once: a node sends a few after each welcome. */
export const RECEIPT_REQUEST_BURST = RECEIPT_REQUESTS_PER_LINK;
/** `receipts.request` frames per second a link earns back: four a minute. */
export const RECEIPT_REQUESTS_PER_SECOND = 4 / 60;

/** Receives the events of one job offered to a session. After a final event, none follow. */
export interface JobListener {
  accepted(): void;
  /** Final. */
  rejected(reason: JobRejectReason, message: string): void;
  /** Content (`text`) and tool-call fragments, as the node sent them. */
  chunk(delta: ChatDelta): void;
  /** One embedding of an embeddings job: input `index`, base64 float32. */
  vector(index: number, vector: string): void;
  /** Final. */
  done(frame: JobDoneFrame): void;
  /** Final: the node reported an error. */
  failed(error: JobErrorBody): void;
  /** Final: the link closed or died while the job was in flight. */
  linkLost(reason: string): void;
}

export interface NodeSessionOptions {
  heartbeatMs: number;
  logger: Logger;
  /** Called once, when the session goes offline for any reason. */
  onOffline(session: NodeSession): void;
  /** Called after each `announce`; `first` for the first one on this link. */
  onAnnounce?(session: NodeSession, first: boolean): void;
  /** Called when what the node can take may have changed: it announced, paused or resumed. */
  onChange?(session: NodeSession): void;
  /** Called for each `rewards` frame, with the split the node asks for from now on. */
  onRewards?(session: NodeSession, rewards: NodeRewards): void;
  /** Called for each `receipts.request` within its budget, with the job ids asked for. */
  onReceiptsRequest?(session: NodeSession, jobIds: string[]): void;
  /** The control-frame budget (default {@link frameBudgetLimits}). */
  limits?: Partial<FrameBudgetLimits>;
  /** The clock of the heartbeat, the frame budgets and repeated logs (default real time). */
  clock?: Clock;
}

export class NodeSession {
  readonly nodeId: string;
  readonly orgId: string;
  readonly name: string;
  private models = new Map<string, AnnouncedModel>();
  private jobs = new Map<string, { model: string; listener: JobListener }>();
  private missedPongs = 0;
  private heartbeat: TimerHandle;
  private readonly clock: Clock;
  private online = true;
  private hasAnnounced = false;
  // A node serves until it says it is paused: older nodes never send `availability`.
  private servingNow = true;
  private pauseReason = '';
  private features = new Set<string>();
  private readonly control: CoalescingBudget<ControlFrame['type']>;
  /** Over this, control frames are a flood: the link closes. */
  private readonly controlCap: TokenBucket;
  private readonly receiptRequests: TokenBucket;
  private readonly repeats: RepeatLog;

  constructor(
    private readonly socket: WebSocket,
    node: NodeRecord,
    private readonly options: NodeSessionOptions,
  ) {
    this.nodeId = node.id;
    this.orgId = node.orgId;
    this.name = node.name;
    const clock = options.clock ?? realClock;
    this.clock = clock;
    const limits = frameBudgetLimits(options.limits);
    this.repeats = new RepeatLog(options.logger, { now: () => clock.now() });
    this.control = new CoalescingBudget(
      new TokenBucket(limits.controlBurst, limits.controlPerSecond, () => clock.now()),
      clock,
      (dropped) =>
        options.logger.debug('coalesced control frames applied', {
          nodeId: this.nodeId,
          dropped,
        }),
    );
    this.controlCap = new TokenBucket(limits.controlCapBurst, limits.controlCapPerSecond, () =>
      clock.now(),
    );
    this.receiptRequests = new TokenBucket(RECEIPT_REQUEST_BURST, RECEIPT_REQUESTS_PER_SECOND, () =>
      clock.now(),
    );
    socket.on('pong', () => (this.missedPongs = 0));
    this.heartbeat = unrefTimeout(clock, () => this.beat(), options.heartbeatMs);
  }

  /** Whether the link is up and authenticated (a link that is closing no longer counts). */
  get isOnline(): boolean {
    return this.online && this.socket.readyState === this.socket.OPEN;
  }

  /** False while the node's schedule has it paused: the router offers it nothing then. */
  get serving(): boolean {
    return this.servingNow;
  }

  /** Why the node is (or is no longer) paused, as it said; empty until it says. */
  get availabilityReason(): string {
    return this.pauseReason;
  }

  /** Whether the node announced `feature` (e.g. `continuation`) on this link. */
  can(feature: string): boolean {
    return this.features.has(feature);
  }

  /** Whether the node has announced its models on this link yet. */
  get announcedOnce(): boolean {
    return this.hasAnnounced;
  }

  /** What the node serves now. */
  announcedModels(): AnnouncedModel[] {
    return [...this.models.values()];
  }

  announced(model: string): AnnouncedModel | undefined {
    return this.models.get(model);
  }

  /** Jobs of `model` offered or running on this node. */
  inFlight(model: string): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.model === model) count++;
    return count;
  }

  /** Handles a validated frame that arrived after `welcome`. */
  handleFrame(frame: NodeFrame): void {
    switch (frame.type) {
      case 'hello':
        return this.close(CloseCode.UnexpectedFrame, 'hello after welcome');
      case 'announce':
      case 'availability':
      case 'rewards':
        if (!this.controlCap.take()) {
          return this.close(CloseCode.RateLimited, 'control frames over budget');
        }
        // Over budget, only the latest of each type waits: the end state is the last frame.
        this.control.submit(frame.type, () => this.applyControl(frame));
        return;
      case 'receipts.request':
        return this.takeReceiptsRequest(frame.jobIds);
      default:
        return this.handleJobFrame(frame);
    }
  }

  private applyControl(frame: ControlFrame): void {
    if (!this.online) return;
    switch (frame.type) {
      case 'announce':
        return this.takeAnnounce(frame);
      case 'availability':
        this.servingNow = frame.serving;
        this.pauseReason = frame.reason;
        this.repeats.info('node availability', {
          nodeId: this.nodeId,
          serving: frame.serving,
          reason: frame.reason,
        });
        return this.options.onChange?.(this);
      case 'rewards':
        this.repeats.info('node rewards', {
          nodeId: this.nodeId,
          ...frame.split,
          missionCause: frame.missionCause,
        });
        return this.options.onRewards?.(this, {
          split: frame.split,
          missionCause: frame.missionCause,
        });
    }
  }

  private takeReceiptsRequest(jobIds: string[]): void {
    if (!this.receiptRequests.take()) {
      this.repeats.warn('receipts.request over budget ignored', { nodeId: this.nodeId });
      return;
    }
    this.options.onReceiptsRequest?.(this, jobIds);
  }

  private takeAnnounce(frame: Extract<NodeFrame, { type: 'announce' }>): void {
    this.models = new Map(frame.models.map((model) => [model.id, model]));
    this.features = new Set(frame.features ?? []);
    const first = !this.hasAnnounced;
    this.hasAnnounced = true;
    // Not deduplicated: a repeat may carry new prices; the control budget bounds how often.
    this.options.logger.info('node announced', {
      nodeId: this.nodeId,
      models: frame.models.map((model) => model.id).join(','),
      backend: frame.hardware.backend,
    });
    this.options.onAnnounce?.(this, first);
    this.options.onChange?.(this);
  }

  private handleJobFrame(frame: JobFrame): void {
    const job = this.jobs.get(frame.jobId);
    if (!job) {
      this.repeats.debug('frame for an unknown job ignored', {
        nodeId: this.nodeId,
        type: frame.type,
      });
      return;
    }
    const { listener } = job;
    switch (frame.type) {
      case 'job.accept':
        return listener.accepted();
      case 'job.chunk':
        if (!frame.delta) return listener.chunk({ content: frame.text });
        return listener.chunk({
          ...(frame.text === '' ? {} : { content: frame.text }),
          tool_calls: frame.delta.tool_calls,
        });
      case 'job.vector':
        return listener.vector(frame.index, frame.vector);
      case 'job.reject':
        // Also a hand-back: a pausing node returns an accepted job that has no output yet.
        this.jobs.delete(frame.jobId);
        return listener.rejected(frame.reason, frame.message);
      case 'job.done':
        this.jobs.delete(frame.jobId);
        return listener.done(frame);
      case 'job.error':
        this.jobs.delete(frame.jobId);
        return listener.failed(frame.error);
    }
  }

  /**
   * Offers a job; false when the link is already down. `continuation` is the assistant text
   * another node already streamed, for this node to continue.
   */
  offer(
    jobId: string,
    task: Task,
    price: ModelPrice,
    listener: JobListener,
    continuation?: { text: string },
  ): boolean {
    if (!this.isOnline) return false;
    this.jobs.set(jobId, { model: task.request.model, listener });
    const work =
      task.kind === 'embeddings'
        ? {
            embeddings: {
              model: task.request.model,
              input: task.inputs,
              ...(task.request.dimensions ? { dimensions: task.request.dimensions } : {}),
            },
          }
        : task.kind === 'completions'
          ? { completion: task.request }
          : { request: task.request };
    this.send({
      type: 'job.offer',
      jobId,
      ...work,
      price,
      ...(continuation ? { continuation } : {}),
    });
    return true;
  }

  /** Tells the node to stop a job and forgets it; its later frames are ignored. */
  cancel(jobId: string, reason: string): void {
    if (!this.jobs.delete(jobId)) return;
    this.send({ type: 'job.cancel', jobId, reason });
  }

  /** Sends the signed receipt of an accounted job. */
  sendReceipt(receipt: Receipt, signature: string): void {
    this.send({ type: 'receipt', receipt, signature });
  }

  /** Names the jobs of a `receipts.request` this gateway has no receipt of for this node. */
  sendReceiptsUnknown(jobIds: string[]): void {
    this.send({ type: 'receipts.unknown', jobIds });
  }

  /** Sends what the network pays; false when the link is down. */
  sendMarket(frame: MarketFrame): boolean {
    if (!this.isOnline) return false;
    this.send(frame);
    return true;
  }

  private send(frame: GatewayFrame): void {
    if (!this.online || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(frame), (error) => {
      if (error) this.options.logger.debug('link send failed', { nodeId: this.nodeId });
    });
  }

  private beat(): void {
    if (this.missedPongs >= 2) {
      this.options.logger.warn('node missed 2 pongs; dropping its link', { nodeId: this.nodeId });
      this.goOffline('heartbeat lost');
      this.socket.terminate();
      return;
    }
    this.missedPongs++;
    try {
      this.socket.ping();
    } catch {
      // The socket is closing; its close event takes the session offline.
    }
    this.heartbeat = unrefTimeout(this.clock, () => this.beat(), this.options.heartbeatMs);
  }

  /** Closes the link with a code and reason; jobs in flight fail at once. */
  close(code: CloseCode, reason: string): void {
    this.goOffline(reason);
    try {
      this.socket.close(code, closeReason(reason));
    } catch {
      this.socket.terminate();
    }
  }

  /**
   * Takes the session offline (idempotent): stops the heartbeat, and fails every job in
   * flight, which the router then retries elsewhere or reports to its client.
   */
  goOffline(reason: string): void {
    if (!this.online) return;
    this.online = false;
    this.clock.clearTimeout(this.heartbeat);
    this.control.close();
    this.repeats.flush();
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.options.onOffline(this);
    for (const job of jobs) job.listener.linkLost(reason);
  }
}
