/**
 * The router: every route (the online nodes' sessions and the enabled upstream providers),
 * each one's health, the organizations' routing rules, and the per-model queue. It ranks
 * routes, never sessions, and hands each request to {@link dispatch}.
 */
import type { ChatCompletionRequest } from '../../common/openai.js';
import { CloseCode, type ModelPrice } from '../../common/protocol.js';
import type { Logger } from '../../common/log.js';
import { realClock, type Clock } from '../../common/node/timers.js';
import type { RouteView } from '../../common/adminRecords.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
  DEFAULT_STALL_TIMEOUT_MS,
  DEFAULT_MAX_PRICE,
  DEFAULT_QUEUE_LENGTH,
  DEFAULT_QUEUE_WAIT_MS,
  DEFAULT_QUARANTINE_AFTER,
} from '../defaults.js';
import type { NodeSession } from '../link/nodeSession.js';
import type { ProviderRecord, RoutingRule } from '../store/types.js';
import { ProviderRoutes } from '../upstream/providerRoutes.js';
import type { UpstreamRoute } from '../upstream/upstreamRoute.js';
import { fullJitter } from './backoff.js';
import { dispatch, type DispatchDeps } from './dispatch.js';
import type { DispatchContext, DispatchResult } from './dispatchTypes.js';
import { NodeRoute } from './nodeRoute.js';
import type { NodeStandingView } from '../../common/protocol.js';
import { NodeScores } from './nodeScore.js';
import { NodeStanding, type NodeStandingOptions } from './nodeStanding.js';
import { matchRule, orderRoutes } from './routeOrder.js';
import { HealthBook } from './healthBook.js';
import { ModelQueues } from './modelQueues.js';
import type { Route, Task } from './route.js';

export interface RouterOptions {
  /** Nodes asking more than this (for prompt or completion tokens) get no jobs. */
  maxPrice?: ModelPrice;
  /** ms to connect to an upstream, or for a node to accept an offer (default 5 s). */
  connectTimeoutMs?: number;
  /** ms from a try's start to its first output (default 30 s). */
  firstTokenTimeoutMs?: number;
  /** ms a node may go silent between two outputs of a job (default 15 s). */
  stallTimeoutMs?: number;
  /** How long a request may wait for a busy route (default 30 s). */
  queueWaitMs?: number;
  /** Requests that may wait per model (default 256). */
  queueLength?: number;
  /** The clock of node job deadlines, of the timing of each try, and of the queue (default real time; tests move it). */
  clock?: Clock;
  /** Where node faults are counted. */
  faultStore: NodeStandingOptions['store'];
  /** Faults that quarantine a node (default {@link DEFAULT_QUARANTINE_AFTER}; 0: never). */
  quarantineAfter?: number;
  /** The wall clock of the scores (uptime, today's incidents); default `Date.now`. */
  scoreNow?: () => number;
  logger: Logger;
}

export class Router {
  private readonly sessions = new Map<string, NodeSession>();
  private readonly nodeRoutes = new Map<string, NodeRoute>();
  private readonly upstream = new ProviderRoutes();
  private rules: RoutingRule[] = [];
  private readonly maxPrice: ModelPrice;
  readonly health: HealthBook;
  /** Each node's faults (usage over-reports, stalls and the like) and quarantine. */
  readonly standing: NodeStanding;
  /** Each node's reliability score, from what this gateway saw (a tie-break among similar prices). */
  readonly scores: NodeScores;
  private scoreCache = { version: -1, at: 0, scores: new Map<string, number>() };
  private readonly queues: ModelQueues;
  private readonly clock: Clock;
  private closed = false;
  /** Nodes other instances of the cluster hold (relay routes), offered when no local node serves a model. */
  private relays: Route[] = [];
  /** Called when the local node links may have changed (the cluster records them). */
  onLinksChanged?: () => void;

  constructor(private readonly options: RouterOptions) {
    this.maxPrice = options.maxPrice ?? DEFAULT_MAX_PRICE;
    this.clock = options.clock ?? realClock;
    this.queues = new ModelQueues({
      waitMs: options.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS,
      length: options.queueLength ?? DEFAULT_QUEUE_LENGTH,
      logger: options.logger,
      clock: this.clock,
    });
    this.health = new HealthBook(options.logger, () => this.queues.wake());
    this.standing = new NodeStanding({
      store: options.faultStore,
      quarantineAfter: options.quarantineAfter ?? DEFAULT_QUARANTINE_AFTER,
      logger: options.logger,
    });
    this.scores = new NodeScores(options.scoreNow);
  }

  /** Registers a session that just came online; an older link of the same node is closed. */
  add(session: NodeSession): void {
    if (this.closed) return session.close(CloseCode.GoingAway, 'gateway shutting down');
    const older = this.sessions.get(session.nodeId);
    if (older && older !== session) older.close(CloseCode.Replaced, 'replaced by a newer link');
    this.sessions.set(session.nodeId, session);
    const route = new NodeRoute(
      session,
      this.maxPrice,
      this.standing,
      this.options.logger,
      this.clock,
      this.scores,
    );
    this.scores.online(session.nodeId);
    route.onCapacity = () => this.queues.wake();
    this.nodeRoutes.set(session.nodeId, route);
    this.queues.wake();
    this.onLinksChanged?.();
  }

  /** Forgets a session that went offline (no-op if a newer one replaced it). */
  remove(session: NodeSession): void {
    if (this.sessions.get(session.nodeId) !== session) return;
    this.sessions.delete(session.nodeId);
    this.nodeRoutes.delete(session.nodeId);
    this.scores.offline(session.nodeId);
    this.onLinksChanged?.();
  }

  /** Closes a node's link with `code` and forgets it now, so no job goes to it meanwhile. */
  disconnect(nodeId: string, code: CloseCode, reason: string): void {
    const session = this.sessions.get(nodeId);
    if (!session) return;
    this.remove(session);
    session.close(code, reason);
  }

  /** The online sessions. */
  online(): NodeSession[] {
    return [...this.sessions.values()].filter((session) => session.isOnline);
  }

  /** Capacity may have come free (a node announced or resumed): wake queued requests. */
  capacityChanged(): void {
    this.queues.wake();
    this.onLinksChanged?.();
  }

  /** Replaces the upstream routes with the enabled providers among `records`. */
  setProviders(records: ProviderRecord[]): void {
    this.upstream.load(records);
    for (const route of this.upstream.routes()) route.onCapacity = () => this.queues.wake();
    this.queues.wake();
  }

  /** The upstream routes, for health checks. */
  upstreamRoutes(): UpstreamRoute[] {
    return this.upstream.routes();
  }

  setRules(rules: RoutingRule[]): void {
    this.rules = rules;
    this.queues.wake();
  }

  /** Every route: online nodes, then enabled providers. */
  routes(): Route[] {
    const nodes = [...this.nodeRoutes.values()].filter((route) => route.session.isOnline);
    return [...nodes, ...this.upstream.routes()];
  }

  /** The routes that may get offers: a quarantined node gets none. */
  private offerable(): Route[] {
    return this.routes().filter(
      (route) => route.nodeId === null || !this.standing.isQuarantined(route.nodeId),
    );
  }

  private serving(model: string): Route[] {
    const local = this.offerable().filter((route) => route.models().includes(model));
    if (local.some((route) => route.kind === 'node')) return local;
    return [...local, ...this.relaysFor(model)];
  }

  private relaysFor(model: string): Route[] {
    return this.relays.filter(
      (route) =>
        route.models().includes(model) &&
        (route.nodeId === null || !this.standing.isQuarantined(route.nodeId)),
    );
  }

  /** Replaces the relay routes (the nodes other instances hold). */
  setRelays(routes: Route[]): void {
    this.relays = routes;
    for (const route of routes) route.onCapacity = () => this.queues.wake();
    this.queues.wake();
  }

  /**
   * Runs a request another instance relayed here on the local node `nodeId` only, under
   * the organization's rule; never relayed again, never to an upstream.
   */
  dispatchRelayed(task: Task, context: DispatchContext, nodeId: string): Promise<DispatchResult> {
    const local = (model: string) =>
      this.closed
        ? []
        : this.offerable().filter(
            (route) =>
              route.kind === 'node' && route.nodeId === nodeId && route.models().includes(model),
          );
    return dispatch(
      this.deps(local, (orgId, model) => matchRule(this.rules, orgId, model)),
      task,
      context,
    );
  }

  /** An operator cleared the node's faults: it gets offers again. */
  faultsCleared(nodeId: string): void {
    this.standing.cleared(nodeId);
    this.queues.wake();
  }

  /**
   * Model ids some route serves, sorted: online nodes (paused ones too, since they come
   * back: a request meanwhile gets 503, not 404; quarantined ones not) and providers whose
   * breaker is not open.
   */
  onlineModels(): string[] {
    const ids = new Set<string>();
    for (const route of this.offerable()) {
      if (route.kind === 'upstream' && !this.health.of(route).allows()) continue;
      for (const model of route.models()) ids.add(model);
    }
    for (const route of this.relays) {
      if (route.nodeId !== null && this.standing.isQuarantined(route.nodeId)) continue;
      for (const model of route.models()) ids.add(model);
    }
    return [...ids].sort();
  }

  /** The routes the organization's rule allows for `model` now, in the order it would try them. */
  candidates(orgId: string, model: string, pin?: string): Route[] {
    return orderRoutes({
      routes: this.serving(model),
      model,
      orgId,
      rule: matchRule(this.rules, orgId, model),
      pin,
      stats: (route) => this.health.speed(route, model),
      score: (route) => this.scoreOf(route),
    });
  }

  /**
   * The highest prompt and completion prices among the routes the organization's rule
   * allows for `model` now: what a quota reserves at. With none online (a request may wait
   * for a node), the rule's price ceiling, else the most a node may ask.
   */
  worstPrice(orgId: string, model: string, pin?: string): ModelPrice {
    const routes = this.candidates(orgId, model, pin);
    if (routes.length === 0) return matchRule(this.rules, orgId, model)?.maxPrice ?? this.maxPrice;
    const prices = routes.map((route) => route.priceFor(model)!);
    return {
      prompt: Math.max(...prices.map((p) => p.prompt)),
      completion: Math.max(...prices.map((p) => p.completion)),
    };
  }

  /**
   * Runs `request` on the routes its organization's rule allows, with failover; throws a
   * {@link DispatchError} when none served it (404 when no route serves the model at all).
   */
  dispatch(task: Task, context: DispatchContext): Promise<DispatchResult> {
    return dispatch(
      this.deps(
        (model) => (this.closed ? [] : this.serving(model)),
        (orgId, model) => matchRule(this.rules, orgId, model),
      ),
      task,
      context,
    );
  }

  /** Runs `request` on `route` only, whatever the rules say, with no failover (`admin compare`). */
  dispatchOn(
    route: Route,
    request: ChatCompletionRequest,
    context: DispatchContext,
  ): Promise<DispatchResult> {
    const only = (model: string) => (!this.closed && route.models().includes(model) ? [route] : []);
    return dispatch(
      this.deps(only, () => null, 1),
      { kind: 'chat', request },
      context,
    );
  }

  private deps(
    routes: DispatchDeps['routes'],
    rule: DispatchDeps['rule'],
    maxAttempts?: number,
  ): DispatchDeps {
    return {
      routes,
      rule,
      maxAttempts,
      health: (route, model) => this.health.forModel(route, model),
      rank: (routes, model, ctx, rule) =>
        orderRoutes({
          routes,
          model,
          orgId: ctx.orgId,
          rule,
          pin: ctx.pin,
          stats: (route) => this.health.speed(route, model),
          score: (route) => this.scoreOf(route),
        }),
      queue: this.queues,
      connectTimeoutMs: this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      firstTokenTimeoutMs: this.options.firstTokenTimeoutMs ?? DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
      stallTimeoutMs: this.options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      logger: this.options.logger,
      retryDelayMs: (attempt) => fullJitter(attempt, 50, 1000),
      now: () => this.clock.now(),
    };
  }

  /** The online nodes that serve one of `nodeId`'s models, itself included. */
  private peersOf(nodeId: string): string[] {
    const own = new Set(
      this.sessions
        .get(nodeId)
        ?.announcedModels()
        .map((model) => model.id),
    );
    return this.online()
      .filter(
        (session) =>
          session.nodeId === nodeId || session.announcedModels().some((model) => own.has(model.id)),
      )
      .map((session) => session.nodeId);
  }

  /**
   * A node's score against the online nodes serving its models (undefined for an upstream).
   * Kept for up to a second while nothing new was observed: ranking asks for every route.
   */
  scoreOf(route: Route): number | undefined {
    if (route.kind !== 'node' || route.nodeId === null) return undefined;
    const now = this.scores.now();
    if (this.scoreCache.version !== this.scores.version || now - this.scoreCache.at > 1000) {
      this.scoreCache = { version: this.scores.version, at: now, scores: new Map() };
    }
    let score = this.scoreCache.scores.get(route.nodeId);
    if (score === undefined) {
      const nodeId = route.nodeId;
      score = this.scores.score(
        nodeId,
        this.peersOf(nodeId).filter((id) => id !== nodeId),
      );
      this.scoreCache.scores.set(nodeId, score);
    }
    return score;
  }

  /** What node `nodeId` is told of its standing (the `market` frame). */
  standingOf(nodeId: string): NodeStandingView {
    return this.scores.standing(nodeId, this.peersOf(nodeId));
  }

  /** Every route with its health, for `GET /admin/v1/routes`. */
  views(): RouteView[] {
    return this.routes().map((route) => this.health.view(route, route.inFlight()));
  }

  /** Refuses further jobs, fails queued requests and closes every session with 1001. */
  close(): void {
    this.closed = true;
    this.queues.close();
    this.upstream.close();
    for (const session of this.sessions.values()) {
      session.close(CloseCode.GoingAway, 'gateway shutting down');
    }
  }
}
