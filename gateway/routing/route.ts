/**
 * The route abstraction: one place a request can be served. A node route wraps a node's
 * link session; an upstream route speaks HTTP to an OpenAI-compatible provider. The router
 * ranks routes and dispatches to them; the HTTP handlers see only {@link RouteResult}s.
 */
import type { ChatDelta } from '../../common/chatDelta.js';
import type { ChatCompletionRequest, FinishReason } from '../../common/openai.js';
import type { CompletionRequest } from '../../common/openaiCompletions.js';
import type { EmbeddingInput, EmbeddingsRequest } from '../../common/openaiEmbeddings.js';
import type { ApiError } from '../../common/openaiErrors.js';
import type { ModelCapability, ModelPrice } from '../../common/protocol.js';
import type { KeyState, RouteKind } from '../../common/adminRecords.js';

export type { KeyState, RouteKind } from '../../common/adminRecords.js';

/** Whether a route can take a job for a model now. */
export type RouteCapacity = 'ready' | 'busy' | 'unavailable';

/** The work a request asks for: a chat completion, embeddings, or a text completion. */
export type Task =
  | { kind: 'chat'; request: ChatCompletionRequest }
  | { kind: 'embeddings'; request: EmbeddingsRequest; inputs: EmbeddingInput[] }
  | { kind: 'completions'; request: CompletionRequest };

/** The model a task names. */
export const taskModel = (task: Task): string => task.request.model;

/** One try of a request on one route. */
export interface RouteJob {
  /** Unique per try; a node's receipt names it. */
  jobId: string;
  /** The client's request, validated, with the model id the client asked for. */
  task: Task;
  /**
   * The client's JSON body as it came, unknown fields kept: what an upstream passes on
   * (with its own model id). Nodes get {@link request}.
   */
  body: Record<string, unknown>;
  /** Aborts when the client goes away: the route stops the work. */
  signal: AbortSignal;
  /** ms to connect to an upstream (or for a node to accept the offer). */
  connectTimeoutMs: number;
  /** ms from the try's start to its first output. */
  firstTokenTimeoutMs: number;
  /** ms a node may go silent between two outputs once it has produced one. */
  stallTimeoutMs: number;
  /** A node route continuing a stream that broke on another node: the text already sent. */
  continuation?: { text: string };
  /** Who asks: a relay route passes it on to the instance that serves. */
  caller?: { orgId: string; apiKeyId?: string };
}

/** Where a route's output goes, in order. */
export interface RouteSink {
  /** Output from a node: content or tool-call fragments, checked against OpenAI's shape. */
  delta(delta: ChatDelta): void;
  /**
   * One upstream stream chunk, parsed, passed through field by field (the relay sets `id`
   * and `model`). A chunk with empty `choices` and `usage` is the usage chunk.
   */
  chunk(chunk: Record<string, unknown>): void;
}

/** A try that served the request. */
export interface RouteResult {
  finishReason: FinishReason | string;
  /** As metered for billing: tokens of this try only. */
  usage: { promptTokens: number; completionTokens: number };
  /** A non-streamed upstream reply: the provider's completion body, to pass through. */
  body?: Record<string, unknown>;
  /** A node's embeddings, one per input, checked. */
  vectors?: Float32Array[];
}

/** Why a try failed. */
export type RouteFailureKind =
  'connect' | 'timeout' | 'status' | 'rejected' | 'busy' | 'link' | 'key' | 'client';

/**
 * Thrown by {@link Route.run}. `afterOutput` is true once anything reached the sink (then
 * the router cannot fail over, except a node stream continued on another node).
 */
export class RouteFailure extends Error {
  constructor(
    message: string,
    readonly kind: RouteFailureKind,
    readonly options: {
      afterOutput?: boolean;
      /** The HTTP status of an upstream's answer or a node's error. */
      status?: number;
      /** From `Retry-After`, in ms. */
      retryAfterMs?: number;
      /** A 4xx caused by the request itself: goes back to the client as it is. */
      clientError?: ApiError;
      /** Output already sent by this try: the text and how many chunks carried it. */
      produced?: { text: string; chunks: number };
      /** Whether the route could serve another try now (an upstream with another usable key). */
      retrySameRoute?: boolean;
    } = {},
  ) {
    super(message);
    this.name = 'RouteFailure';
  }

  get afterOutput(): boolean {
    return this.options.afterOutput ?? false;
  }
}

export interface Route {
  /** Unique among routes: the provider name, or `node:<nodeId>`. */
  readonly id: string;
  readonly kind: RouteKind;
  /** What `x-byoi-route` says: the provider name, or `node`. */
  readonly label: string;
  /** The node's id, for node routes. */
  readonly nodeId: string | null;
  /** The organization that enrolled the node, for node routes (`own-nodes`). */
  readonly ownerOrgId: string | null;
  /** Model ids (as clients ask for them) this route serves now. */
  models(): string[];
  /** What the organization is charged for `model`, USD per 1M tokens; undefined if not served. */
  priceFor(model: string): ModelPrice | undefined;
  /** What the network pays for `model` on this route (upstream cost), when known. */
  costFor(model: string): ModelPrice | null;
  /** Whether the route can do `capability` with `model` (an upstream is trusted to). */
  supports(model: string, capability: ModelCapability): boolean;
  /** Whether a job for `model` can start now, must wait (busy), or cannot (paused, disabled). */
  capacity(model: string): RouteCapacity;
  /** Tries running on this route now, all models. */
  inFlight(): number;
  /** Runs one try; resolves when the output is complete, throws {@link RouteFailure}. */
  run(job: RouteJob, sink: RouteSink): Promise<RouteResult>;
  /** Key states of an upstream route (empty for nodes). */
  keyStates(): KeyState[];
  /**
   * The route calls this when capacity may have come free (a try ended, a key's rest is
   * over, a node resumed), so that queued requests wake. The router sets it.
   */
  onCapacity?: () => void;
}
