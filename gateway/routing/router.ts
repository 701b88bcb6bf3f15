/**
 * Routing: the online node sessions, which of them can take a job for a model now, and
 * dispatch with failover before the first chunk.
 */
import { randomUUID } from 'node:crypto';
import type { ChatCompletionRequest } from '../../common/openai.js';
import { ApiError } from '../../common/openaiErrors.js';
import { CloseCode, type ModelPrice } from '../../common/protocol.js';
import type { JobDoneFrame, JobErrorBody, NodeSession } from '../link/nodeSession.js';
import { DEFAULT_MAX_PRICE } from '../defaults.js';
import type { Logger } from '../../common/log.js';
import { clientGoneError, runAttempt } from './jobAttempt.js';

export const DEFAULT_OFFER_TIMEOUT_MS = 5000;

export interface RouterOptions {
  /** Nodes asking more than this (for prompt or completion tokens) get no jobs. */
  maxPrice?: ModelPrice;
  /** How long a node has to accept or reject an offer (default 5 s). */
  offerTimeoutMs?: number;
  logger: Logger;
}

export interface DispatchOptions {
  /** Abort when the client goes away; the node is told to cancel. */
  signal: AbortSignal;
  /** Each chunk of completion text, in order. */
  onChunk(text: string): void;
}

/** A finished job: who served it, at what price, and what the node reported. */
export interface DispatchResult {
  jobId: string;
  session: NodeSession;
  price: ModelPrice;
  done: JobDoneFrame;
}

/** 503: no node that serves the model can take the job now. */
export function noCapacityError(model: string): ApiError {
  return new ApiError(
    503,
    `No node can serve model '${model}' right now; try again later`,
    'server_error',
    'no_capacity',
  );
}

export class Router {
  private readonly sessions = new Map<string, NodeSession>();
  private readonly maxPrice: ModelPrice;
  private readonly offerTimeoutMs: number;
  private closed = false;

  constructor(private readonly options: RouterOptions) {
    this.maxPrice = options.maxPrice ?? DEFAULT_MAX_PRICE;
    this.offerTimeoutMs = options.offerTimeoutMs ?? DEFAULT_OFFER_TIMEOUT_MS;
  }

  /** Registers a session that just came online; an older link of the same node is closed. */
  add(session: NodeSession): void {
    if (this.closed) return session.close(CloseCode.GoingAway, 'gateway shutting down');
    const older = this.sessions.get(session.nodeId);
    if (older && older !== session) older.close(CloseCode.Replaced, 'replaced by a newer link');
    this.sessions.set(session.nodeId, session);
  }

  /** Forgets a session that went offline (no-op if a newer one replaced it). */
  remove(session: NodeSession): void {
    if (this.sessions.get(session.nodeId) === session) this.sessions.delete(session.nodeId);
  }

  /** The online sessions. */
  online(): NodeSession[] {
    return [...this.sessions.values()].filter((session) => session.isOnline);
  }

  /**
   * Model ids that at least one online node announces, sorted; paused nodes' models too,
   * since the node comes back (a request meanwhile gets 503 no_capacity, not 404).
   */
  onlineModels(): string[] {
    const ids = new Set<string>();
    for (const session of this.online()) {
      for (const model of session.announcedModels()) ids.add(model.id);
    }
    return [...ids].sort();
  }

  private fits(price: ModelPrice): boolean {
    return price.prompt <= this.maxPrice.prompt && price.completion <= this.maxPrice.completion;
  }

  /**
   * Sessions that could take a job for `model` now, best first: the node is serving (not
   * paused), the price fits, a slot is free; then the lowest load ratio, the highest measured speed (unknown counts as the
   * average of the known ones), and the lowest price.
   */
  candidates(model: string): NodeSession[] {
    const options = this.online().flatMap((session) => {
      if (!session.serving) return [];
      const announced = session.announced(model);
      if (!announced || !this.fits(announced.price)) return [];
      const load = session.inFlight(model);
      if (load >= announced.slots) return [];
      const { prompt, completion } = announced.price;
      return [
        {
          session,
          load: load / announced.slots,
          speed: session.speed(model),
          cost: prompt + completion,
        },
      ];
    });
    const known = options.flatMap((option) => (option.speed === undefined ? [] : [option.speed]));
    const neutral = known.length ? known.reduce((sum, speed) => sum + speed, 0) / known.length : 0;
    return options
      .map((option) => ({ ...option, speed: option.speed ?? neutral }))
      .sort((a, b) => a.load - b.load || b.speed - a.speed || a.cost - b.cost)
      .map((option) => option.session);
  }

  /**
   * Runs `request` on the best node, trying the next one when a node rejects (or hands the
   * job back, pausing), fails or drops its link before the first chunk. Throws 404 when no
   * online node announces the model, 503 when none could take it (all of them paused, busy,
   * too dear or refusing), and after the first chunk the error that ended the job.
   */
  async dispatch(
    request: ChatCompletionRequest,
    options: DispatchOptions,
  ): Promise<DispatchResult> {
    const { model } = request;
    if (this.closed) throw noCapacityError(model);
    // Paused nodes still count here: the model exists and comes back, so it is a 503.
    if (!this.online().some((session) => session.announced(model))) {
      throw ApiError.modelNotFound(model);
    }
    const tried = new Set<NodeSession>();
    let nodeError: JobErrorBody | undefined;
    for (;;) {
      if (options.signal.aborted) throw clientGoneError();
      const session = this.candidates(model).find((candidate) => !tried.has(candidate));
      if (!session) break;
      tried.add(session);
      const price = session.announced(model)!.price;
      const jobId = `job_${randomUUID().replaceAll('-', '')}`;
      this.options.logger.info('job offered', { jobId, nodeId: session.nodeId, model });
      const outcome = await runAttempt(session, jobId, request, price, {
        signal: options.signal,
        offerTimeoutMs: this.offerTimeoutMs,
        onChunk: options.onChunk,
      });
      if (outcome.kind === 'done') {
        const { usage, timings } = outcome.frame;
        session.recordSpeed(model, usage.completionTokens, timings.durationMs);
        return { jobId, session, price, done: outcome.frame };
      }
      this.options.logger.info('job not taken; trying the next node', {
        jobId,
        nodeId: session.nodeId,
        why: outcome.why,
      });
      if (outcome.error) nodeError = outcome.error;
    }
    // A node that refused the request itself (say, too long for its context) explains more
    // than "no capacity" would.
    if (nodeError && nodeError.status < 500) {
      const { status, message, type, code, param } = nodeError;
      throw new ApiError(status, message, type, code, param);
    }
    throw noCapacityError(model);
  }

  /** Refuses further jobs and closes every session with 1001. */
  close(): void {
    this.closed = true;
    for (const session of this.sessions.values()) {
      session.close(CloseCode.GoingAway, 'gateway shutting down');
    }
  }
}
