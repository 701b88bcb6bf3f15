/**
 * One request's way through the routes: rank the routes its rule allows, try the best one
 * that can take it now, fail over before the first output (at most {@link MAX_ATTEMPTS}
 * tries across routes and keys), wait in the model's queue while every route is busy, and
 * continue a node stream that broke after its first token on another node.
 */
import { randomUUID } from 'node:crypto';
import type { ChatCompletionRequest } from '../../common/openai.js';
import { requestedMaxTokens } from '../../common/openai.js';
import { callsTools } from '../../common/openaiTools.js';
import { ApiError } from '../../common/openaiErrors.js';
import type { Logger } from '../../common/log.js';
import type { RoutingRule } from '../store/types.js';
import {
  clientGoneError,
  DispatchError,
  noCapacityError,
  streamBrokeError,
  type DispatchContext,
  type DispatchResult,
  type ServedSegment,
} from './dispatchTypes.js';
import { capableRoutes, taskNeeds, unsupportedError, type Need } from './capabilities.js';
import { NodeRoute } from './nodeRoute.js';
import {
  RouteFailure,
  taskModel,
  type Route,
  type RouteResult,
  type RouteSink,
  type Task,
} from './route.js';
import type { RouteHealth } from './routeHealth.js';
import type { QueueTicket, RequestQueue } from './requestQueue.js';

/** Tries across routes and keys for one request. */
export const MAX_ATTEMPTS = 4;

export interface DispatchDeps {
  /** Every known route that serves `model`, whatever its state. */
  routes(model: string): Route[];
  rule(orgId: string, model: string): RoutingRule | null;
  health(route: Route, model: string): RouteHealth;
  /** The allowed routes in the rule's order, among `usable` ones; throws a 400 for a bad pin. */
  rank(routes: Route[], model: string, context: DispatchContext, rule: RoutingRule | null): Route[];
  queue: RequestQueue;
  connectTimeoutMs: number;
  firstTokenTimeoutMs: number;
  stallTimeoutMs: number;
  logger: Logger;
  /** Tries at most (default {@link MAX_ATTEMPTS}). */
  maxAttempts?: number;
  /** The clock the gateway times each try by (the only speed routing believes). */
  now(): number;
  /** ms to wait before trying the same route again (full jitter). */
  retryDelayMs(attempt: number): number;
}

const newJobId = (): string => `job_${randomUUID().replaceAll('-', '')}`;

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', done);
      clearTimeout(timer);
      if (signal.aborted) reject(clientGoneError());
      else resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs `task` to its end; see the file comment. */
export async function dispatch(
  deps: DispatchDeps,
  task: Task,
  context: DispatchContext,
): Promise<DispatchResult> {
  return new Dispatch(deps, task, context).run();
}

class Dispatch {
  private readonly model: string;
  private readonly started: number;
  private attempts = 0;
  private readonly tried: string[] = [];
  private readonly segments: ServedSegment[] = [];
  private firstOutputAt: number | null = null;
  private startedRoute: Route | null = null;
  private text = '';
  private readonly rule: RoutingRule | null;
  private readonly needs: Need[];

  constructor(
    private readonly deps: DispatchDeps,
    private readonly task: Task,
    private readonly context: DispatchContext,
  ) {
    this.started = deps.now();
    this.model = taskModel(task);
    this.rule = deps.rule(context.orgId, this.model);
    this.needs = taskNeeds(task);
  }

  /** The routes that serve the model and can do what the request asks. */
  private routes(): Route[] {
    return capableRoutes(this.deps.routes(this.model), this.model, this.needs);
  }

  private get ttft(): number | null {
    return this.firstOutputAt === null ? null : this.firstOutputAt - this.started;
  }

  private fail(apiError: ApiError): DispatchError {
    return new DispatchError(apiError, this.attempts, this.tried, this.segments, this.ttft);
  }

  async run(): Promise<DispatchResult> {
    const serving = this.deps.routes(this.model);
    if (serving.length === 0) throw this.fail(ApiError.modelNotFound(this.model));
    if (this.routes().length === 0) {
      throw this.fail(unsupportedError(serving, this.model, this.needs));
    }
    let ticket: QueueTicket | undefined;
    try {
      ticket = this.deps.queue.enter(this.model, this.context.signal);
      return await this.serve(ticket);
    } catch (error) {
      if (error instanceof DispatchError) throw error;
      throw this.fail(error instanceof ApiError ? error : ApiError.internal());
    } finally {
      ticket?.leave();
    }
  }

  private async serve(ticket: QueueTicket): Promise<DispatchResult> {
    const skip = new Set<string>();
    // Routes that said busy although they looked free (a node's slots taken by local use).
    const busy = new Set<string>();
    let requestError: ApiError | undefined;
    for (;;) {
      if (this.context.signal.aborted) throw clientGoneError();
      const left = this.routes().filter((route) => !skip.has(route.id));
      let ranked: Route[];
      try {
        ranked = this.deps.rank(left, this.model, this.context, this.rule);
      } catch (error) {
        // The pinned route refused the request itself and is skipped now: that is the answer.
        throw requestError ?? error;
      }
      const open = ranked.filter((route) => this.deps.health(route, this.model).allows());
      const ready = ticket.isFirst()
        ? open.find((route) => !busy.has(route.id) && route.capacity(this.model) === 'ready')
        : undefined;
      if (!ready) {
        const waiting =
          !ticket.isFirst() ||
          open.some((route) => busy.has(route.id) || route.capacity(this.model) === 'busy');
        if (!waiting) throw requestError ?? noCapacityError(this.model, this.whyNone(ranked));
        await ticket.wait();
        busy.clear();
        continue;
      }
      const health = this.deps.health(ready, this.model);
      if (!health.acquire()) continue;
      ticket.leave();
      try {
        return await this.attempt(ready, health);
      } catch (error) {
        if (!(error instanceof RouteFailure)) throw error;
        const failure = error;
        if (failure.afterOutput) return this.continueStream(ready, failure);
        this.deps.logger.info('route failed; trying the next', {
          route: ready.id,
          kind: failure.kind,
          status: failure.options.status,
          why: failure.message,
        });
        if (failure.kind === 'client') throw failure.options.clientError ?? ApiError.internal();
        // A node's refusal of the request itself explains more than "no capacity", if no
        // other route serves it.
        if (failure.options.clientError) requestError = failure.options.clientError;
        if (this.attempts >= (this.deps.maxAttempts ?? MAX_ATTEMPTS)) {
          throw requestError ?? noCapacityError(this.model, `${this.attempts} tries failed`);
        }
        if (failure.kind === 'busy') {
          busy.add(ready.id);
        } else if (failure.options.retrySameRoute) {
          await abortableDelay(this.deps.retryDelayMs(this.attempts), this.context.signal);
        } else {
          skip.add(ready.id);
        }
      }
    }
  }

  /** Why no route could be tried: for the 503's message. */
  private whyNone(ranked: Route[]): string {
    if (ranked.length === 0) return 'no route the routing rule allows serves it';
    if (ranked.every((route) => !this.deps.health(route, this.model).allows())) {
      return 'every allowed route is failing';
    }
    return 'every allowed route is paused or unavailable';
  }

  /** One try on `route`, timed; success and failure go to its health. */
  private async attempt(
    route: Route,
    health: RouteHealth,
    continuation?: { text: string; request: ChatCompletionRequest },
  ): Promise<DispatchResult> {
    this.attempts++;
    this.tried.push(route.id);
    const tryStarted = this.deps.now();
    let tryFirstOutput: number | null = null;
    const jobId = newJobId();
    this.deps.logger.info('job offered', {
      jobId,
      route: route.id,
      nodeId: route.nodeId ?? undefined,
      model: this.model,
      attempt: this.attempts,
    });
    const outer = this.context.sink;
    const onOutput = () => {
      if (tryFirstOutput !== null) return;
      tryFirstOutput = this.deps.now();
      if (this.firstOutputAt === null) {
        this.firstOutputAt = tryFirstOutput;
        this.startedRoute = route;
        this.context.onStart(route, this.attempts);
      }
    };
    const sink: RouteSink = {
      delta: (delta) => {
        onOutput();
        this.text += delta.content ?? '';
        outer.delta(delta);
      },
      chunk: (chunk) => {
        onOutput();
        outer.chunk(chunk);
      },
    };
    let result: RouteResult;
    try {
      result = await route.run(
        {
          jobId,
          task: continuation ? { kind: 'chat', request: continuation.request } : this.task,
          body: this.context.body ?? (this.task.request as Record<string, unknown>),
          signal: this.context.signal,
          connectTimeoutMs: this.deps.connectTimeoutMs,
          firstTokenTimeoutMs: this.deps.firstTokenTimeoutMs,
          stallTimeoutMs: this.deps.stallTimeoutMs,
          continuation: continuation ? { text: continuation.text } : undefined,
          caller: { orgId: this.context.orgId, apiKeyId: this.context.apiKeyId },
        },
        sink,
      );
    } catch (error) {
      if (this.context.signal.aborted) throw clientGoneError();
      if (error instanceof RouteFailure) {
        if (error.afterOutput && route.kind === 'node') {
          this.segments.push(this.segment(route, jobId, 0, error.options.produced?.chunks ?? 0));
        }
        if (countsAgainstHealth(error)) health.failure(error.message);
        else health.release();
      } else {
        health.release();
      }
      throw error;
    }
    const ended = this.deps.now();
    health.success({
      ttftMs: tryFirstOutput === null ? null : tryFirstOutput - tryStarted,
      latencyMs: ended - tryStarted,
      completionTokens: result.usage.completionTokens,
    });
    if (this.firstOutputAt === null) onOutput(); // a whole (non-streamed) answer
    const { promptTokens, completionTokens } = result.usage;
    this.segments.push(this.segment(route, jobId, promptTokens, completionTokens));
    return this.result(route, result);
  }

  private segment(route: Route, jobId: string, prompt: number, completion: number): ServedSegment {
    return {
      route,
      jobId,
      price: route.priceFor(this.model) ?? { prompt: 0, completion: 0 },
      cost: route.costFor(this.model),
      promptTokens: prompt,
      completionTokens: completion,
    };
  }

  private result(last: Route, result: RouteResult): DispatchResult {
    const usage = {
      promptTokens: this.segments[0]?.promptTokens ?? 0,
      completionTokens: this.segments.reduce((sum, s) => sum + s.completionTokens, 0),
    };
    const extra = result as RouteResult & { usageChunk?: Record<string, unknown> };
    return {
      route: this.startedRoute ?? last,
      attempts: this.attempts,
      routes: this.tried,
      segments: this.segments,
      finishReason: result.finishReason,
      usage,
      timeToFirstTokenMs: this.ttft,
      latencyMs: this.deps.now() - this.started,
      body: result.body,
      vectors: result.vectors,
      usageChunk: extra.usageChunk,
    };
  }

  /**
   * A node stream broke after its first token: offer the rest to another node that serves
   * the model, with the text so far as the start of the reply. The continuing node's prompt
   * holds that text; the request's prompt tokens are its count less the tokens relayed.
   */
  private async continueStream(broken: Route, failure: RouteFailure): Promise<DispatchResult> {
    let lastBroken = broken;
    let lastFailure = failure;
    const skip = new Set<string>([broken.id]);
    // A grammar would start afresh on the continued text (the joined reply would not parse),
    // and a tool call half made cannot be handed on.
    const chat = this.task.kind === 'chat' ? this.task.request : null;
    const format = chat?.response_format?.type;
    const continuable =
      chat !== null &&
      broken.kind === 'node' &&
      (format === undefined || format === 'text') &&
      !callsTools(chat);
    while (chat && continuable && this.attempts < MAX_ATTEMPTS + 2) {
      if (this.context.signal.aborted) throw clientGoneError();
      const relayed = this.segments.reduce((sum, s) => sum + s.completionTokens, 0);
      const budget = requestedMaxTokens(chat);
      const left = budget === undefined ? undefined : budget - relayed;
      const next = this.deps
        .rank(this.routes(), this.model, this.context, this.rule)
        .find(
          (route) =>
            route instanceof NodeRoute &&
            route.continues &&
            !skip.has(route.id) &&
            route.capacity(this.model) === 'ready' &&
            this.deps.health(route, this.model).allows(),
        );
      if (!next || (left !== undefined && left <= 0)) break;
      const health = this.deps.health(next, this.model);
      if (!health.acquire()) break;
      skip.add(next.id);
      this.deps.logger.info('stream broke; continuing on another node', {
        from: lastBroken.id,
        to: next.id,
        relayedTokens: relayed,
      });
      const request: ChatCompletionRequest = {
        ...chat,
        ...(left === undefined ? {} : { max_tokens: left, max_completion_tokens: undefined }),
      };
      try {
        const result = await this.attempt(next, health, { text: this.text, request });
        return this.settleContinuation(result, relayed);
      } catch (error) {
        if (!(error instanceof RouteFailure)) throw error;
        lastBroken = next;
        lastFailure = error;
      }
    }
    this.deps.logger.info('stream broke; no node can continue it', {
      route: lastBroken.id,
      why: lastFailure.message,
    });
    // A node's own error is passed on as the node's (its words, marked as such).
    const nodeSaid =
      lastBroken.kind === 'node' && lastFailure.kind === 'status' && lastFailure.options.status
        ? new ApiError(
            lastFailure.options.status,
            lastFailure.message,
            'server_error',
            'node_error',
          )
        : null;
    throw this.fail(nodeSaid ?? streamBrokeError(lastBroken));
  }

  /** The first segment's prompt is the continuing node's prompt less what was relayed. */
  private settleContinuation(result: DispatchResult, relayed: number): DispatchResult {
    const last = this.segments[this.segments.length - 1]!;
    const first = this.segments[0]!;
    first.promptTokens = Math.max(0, last.promptTokens - relayed);
    if (last !== first) last.promptTokens = 0;
    result.usage.promptTokens = first.promptTokens;
    return result;
  }
}

/** Failures that say the route is unwell; busy, refusals, bad keys and bad requests do not. */
function countsAgainstHealth(failure: RouteFailure): boolean {
  if (failure.options.clientError && !failure.afterOutput) return false;
  return (
    failure.kind === 'connect' ||
    failure.kind === 'timeout' ||
    failure.kind === 'status' ||
    failure.kind === 'link'
  );
}
