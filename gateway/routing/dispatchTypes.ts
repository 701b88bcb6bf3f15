/** What a dispatched request gives back to its handler: route-neutral, no protocol frames. */
import { ApiError } from '../../common/openaiErrors.js';
import type { ModelPrice } from '../../common/protocol.js';
import type { Route, RouteSink } from './route.js';

export interface DispatchContext {
  /** The requesting organization: its routing rule applies, and `own-nodes` means its nodes. */
  orgId: string;
  /** The caller's API key id: a relay route names it to the instance that serves. */
  apiKeyId?: string;
  /** From `x-byoi-route`: one route (a provider name, `node`, or a node id) the rule allows. */
  pin?: string;
  /** The client's JSON body as it came, for upstreams to pass on; default the request. */
  body?: Record<string, unknown>;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Called once, right before the first output: the serving route and the tries so far. */
  onStart(route: Route, attempts: number): void;
  sink: RouteSink;
}

/** One route's share of a served request (a continued stream has several). */
export interface ServedSegment {
  route: Route;
  jobId: string;
  /** Charged to the organization, USD per 1M tokens. */
  price: ModelPrice;
  /** Paid by the network to an upstream, USD per 1M tokens, when known. */
  cost: ModelPrice | null;
  promptTokens: number;
  completionTokens: number;
}

export interface DispatchResult {
  /** The route whose output the client saw first. */
  route: Route;
  /** Tries across routes and keys, this request. */
  attempts: number;
  /** Every route tried, in order (route ids; repeats when a route was tried again). */
  routes: string[];
  segments: ServedSegment[];
  finishReason: string;
  /** What the client is told it used: the prompt once, every completion token it received. */
  usage: { promptTokens: number; completionTokens: number };
  /** ms from dispatch to the first output, as the gateway saw it. */
  timeToFirstTokenMs: number | null;
  latencyMs: number;
  /** A non-streamed upstream completion, to pass through. */
  body?: Record<string, unknown>;
  /** A node's embeddings, one per input. */
  vectors?: Float32Array[];
  /** An upstream stream's usage chunk, held back for the client that asked for usage. */
  usageChunk?: Record<string, unknown>;
}

/** A request that no route served, or whose stream broke; `segments` were still delivered. */
export class DispatchError extends Error {
  constructor(
    readonly apiError: ApiError,
    readonly attempts: number,
    readonly routes: string[],
    readonly segments: ServedSegment[],
    readonly timeToFirstTokenMs: number | null,
  ) {
    super(apiError.message);
    this.name = 'DispatchError';
  }
}

/** 503 while every allowed route is busy, with when to try again. */
export class BusyError extends ApiError {
  constructor(
    model: string,
    readonly retryAfterSeconds: number,
    why: string,
  ) {
    super(
      503,
      `Every route for model '${model}' is busy (${why}); retry after ${retryAfterSeconds} s`,
      'server_error',
      'no_capacity',
    );
  }
}

/** 503: no allowed route can serve the model now (paused, down, too dear). */
export function noCapacityError(model: string, detail?: string): ApiError {
  return new ApiError(
    503,
    `No route can serve model '${model}' right now${detail ? ` (${detail})` : ''}; try again later`,
    'server_error',
    'no_capacity',
  );
}

/** The error a caller gets when its client went away. */
export function clientGoneError(): ApiError {
  return new ApiError(
    499,
    'The client closed the request',
    'invalid_request_error',
    'client_closed',
  );
}

/** After output, when no node could continue the stream. */
export function streamBrokeError(route: Route): ApiError {
  return route.kind !== 'upstream'
    ? new ApiError(
        502,
        'The node serving this request went offline while generating, and no node could continue it',
        'server_error',
        'node_disconnected',
      )
    : new ApiError(
        502,
        `The upstream provider '${route.label}' broke the stream`,
        'server_error',
        'upstream_error',
      );
}
