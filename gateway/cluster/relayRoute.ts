/**
 * A relay route: a node that another gateway instance of the cluster holds. A try calls
 * that instance's internal relay endpoint (authenticated with the cluster secret) with the
 * task, the caller's organization and key, and the node; that instance dispatches to its
 * node, accounts the job (receipt, usage row) and streams the output back as SSE events.
 * This instance records nothing of the segment: it only counts it towards the quota.
 */
import type { ChatDelta } from '../../common/chatDelta.js';
import { ApiError, type OpenAiErrorBody } from '../../common/openaiErrors.js';
import type { ModelCapability, ModelPrice } from '../../common/protocol.js';
import {
  RouteFailure,
  type KeyState,
  type Route,
  type RouteCapacity,
  type RouteJob,
  type RouteResult,
  type RouteSink,
} from '../routing/route.js';
import type { ClusterModel } from '../store/cluster.js';
import { SseParser } from '../upstream/sseParser.js';

/** The internal endpoint a relayed request is posted to. */
export const RELAY_PATH = '/internal/v1/relay';

/** The route id of a node another instance holds. */
export const relayRouteId = (nodeId: string): string => `relay:${nodeId}`;

/** What the calling instance posts. */
export interface RelayRequest {
  nodeId: string;
  orgId: string;
  apiKeyId: string | null;
  kind: RouteJob['task']['kind'];
  /** The client's validated request. */
  request: Record<string, unknown>;
}

/** One event of the relayed stream. */
export type RelayEvent =
  | { delta: ChatDelta }
  | {
      done: {
        finishReason: string;
        usage: { promptTokens: number; completionTokens: number };
        vectors?: number[][];
      };
    }
  | { error: OpenAiErrorBody['error']; status: number };

/** Where a node is held: the instance and what it serves. */
export interface RelayTarget {
  instanceId: string;
  relayUrl: string;
  nodeId: string;
  ownerOrgId: string;
  models: ClusterModel[];
}

export class RelayRoute implements Route {
  readonly kind = 'relay' as const;
  readonly label = 'relay';
  readonly id: string;
  readonly nodeId: string;
  onCapacity?: () => void;
  private running = 0;

  constructor(
    private target: RelayTarget,
    private readonly secret: string,
  ) {
    this.id = relayRouteId(target.nodeId);
    this.nodeId = target.nodeId;
  }

  get ownerOrgId(): string {
    return this.target.ownerOrgId;
  }

  /** The instance that holds the node. */
  get instanceId(): string {
    return this.target.instanceId;
  }

  /** The node moved, or announced anew. */
  update(target: RelayTarget): void {
    this.target = target;
  }

  private model(id: string): ClusterModel | undefined {
    return this.target.models.find((model) => model.id === id);
  }

  models(): string[] {
    return this.target.models.map((model) => model.id);
  }

  /** The SHA-256 of the file the node serves `model` from, when it announced one. */
  sha256Of(model: string): string | undefined {
    return this.model(model)?.sha256;
  }

  priceFor(model: string): ModelPrice | undefined {
    return this.model(model)?.price;
  }

  costFor(): ModelPrice | null {
    return null;
  }

  supports(model: string, capability: ModelCapability): boolean {
    return this.model(model)?.capabilities.includes(capability) ?? false;
  }

  /** The other instance knows the node's slots; a busy node answers so there. */
  capacity(model: string): RouteCapacity {
    return this.model(model) ? 'ready' : 'unavailable';
  }

  inFlight(): number {
    return this.running;
  }

  keyStates(): KeyState[] {
    return [];
  }

  async run(job: RouteJob, sink: RouteSink): Promise<RouteResult> {
    this.running++;
    try {
      return await this.attempt(job, sink);
    } finally {
      this.running--;
      this.onCapacity?.();
    }
  }

  private async attempt(job: RouteJob, sink: RouteSink): Promise<RouteResult> {
    const body: RelayRequest = {
      nodeId: this.nodeId,
      orgId: job.caller?.orgId ?? '',
      apiKeyId: job.caller?.apiKeyId ?? null,
      kind: job.task.kind,
      request: job.task.request as Record<string, unknown>,
    };
    // The other instance answers at the node's first output (or with its error).
    const headersBy = AbortSignal.timeout(job.connectTimeoutMs + job.firstTokenTimeoutMs);
    const abort = new AbortController();
    const stop = () => abort.abort();
    job.signal.addEventListener('abort', stop, { once: true });
    headersBy.addEventListener('abort', stop, { once: true });
    let response: Response;
    try {
      response = await fetch(`${this.target.relayUrl}${RELAY_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.secret}` },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
    } catch (error) {
      job.signal.removeEventListener('abort', stop);
      const timedOut = headersBy.aborted;
      throw new RouteFailure(
        timedOut
          ? 'the instance holding the node did not answer in time'
          : `relay: ${String(error)}`,
        timedOut ? 'timeout' : 'connect',
      );
    } finally {
      headersBy.removeEventListener('abort', stop);
    }
    try {
      if (!response.ok) throw await refusal(response);
      return await this.relay(response, sink);
    } finally {
      job.signal.removeEventListener('abort', stop);
    }
  }

  /** Reads the event stream into the sink, up to its `done` or `error` event. */
  private async relay(response: Response, sink: RouteSink): Promise<RouteResult> {
    let text = '';
    let chunks = 0;
    let end: RelayEvent | null = null;
    const parser = new SseParser((data) => {
      if (end) return;
      const event = JSON.parse(data) as RelayEvent;
      if ('delta' in event) {
        chunks++;
        text += event.delta.content ?? '';
        sink.delta(event.delta);
      } else {
        end = event;
      }
    });
    const decoder = new TextDecoder();
    try {
      for await (const bytes of response.body as AsyncIterable<Uint8Array>) {
        parser.push(decoder.decode(bytes, { stream: true }));
        if (end) break;
      }
      parser.end();
    } catch (error) {
      throw new RouteFailure(`relay stream broke: ${String(error)}`, 'link', {
        afterOutput: chunks > 0,
        produced: { text, chunks },
      });
    }
    const last = end as RelayEvent | null;
    if (last && 'done' in last) {
      const { finishReason, usage, vectors } = last.done;
      return {
        finishReason,
        usage,
        ...(vectors ? { vectors: vectors.map((vector) => Float32Array.from(vector)) } : {}),
      };
    }
    if (last && 'error' in last) {
      throw new RouteFailure(last.error.message, 'status', {
        afterOutput: chunks > 0,
        status: last.status,
        produced: { text, chunks },
      });
    }
    throw new RouteFailure('the relayed stream ended early', 'link', {
      afterOutput: chunks > 0,
      produced: { text, chunks },
    });
  }
}

/** A refusal before any output, as the dispatch's failover understands it. */
async function refusal(response: Response): Promise<RouteFailure> {
  let said: OpenAiErrorBody['error'] | undefined;
  try {
    said = ((await response.json()) as OpenAiErrorBody).error;
  } catch {
    said = undefined;
  }
  const message = said?.message ?? `HTTP ${response.status}`;
  const { status } = response;
  if (status === 400 || status === 422) {
    const clientError = new ApiError(
      status,
      message,
      said?.type ?? 'invalid_request_error',
      said?.code ?? null,
      said?.param ?? null,
    );
    return new RouteFailure(message, 'client', { status, clientError });
  }
  // The node left that instance, is paused or busy: the next route may do.
  if (status === 404 || status === 503) return new RouteFailure(message, 'rejected', { status });
  return new RouteFailure(`relay: ${message}`, 'status', { status });
}
