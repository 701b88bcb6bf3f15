/**
 * What every client endpoint does around the router: dispatch the task under the caller's
 * organization (and `x-byoi-route` pin), stop when the client goes away, log the outcome
 * (never the prompt or output), and account the request, served or failed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiError, OpenAiErrorBody } from '../../common/openaiErrors.js';
import { accountRequest, type AccountingDeps } from '../accounting/requestAccounting.js';
import { DispatchError, type DispatchResult } from '../routing/dispatchTypes.js';
import type { Route, RouteSink, Task } from '../routing/route.js';
import { taskModel } from '../routing/route.js';
import type { Router } from '../routing/router.js';
import type { ApiKeyInfo } from '../store/types.js';
import type { OpenRequests } from './openRequests.js';

export interface TaskDeps extends AccountingDeps {
  router: Router;
  /** Requests in flight by key: a revoked key's end at once. */
  openRequests: OpenRequests;
}

/** The header that pins a request to one route its rule allows. */
export const ROUTE_HEADER = 'x-byoi-route';

/** `x-byoi-route`, `x-byoi-node` and `x-byoi-attempts` for the route that served. */
export function routeHeaders(route: Route, attempts: number): Record<string, string> {
  return {
    [ROUTE_HEADER]: route.label,
    ...(route.nodeId ? { 'x-byoi-node': route.nodeId } : {}),
    'x-byoi-attempts': String(attempts),
  };
}

/** A stream already open to the client: errors after its start go in it. */
export interface OpenStream {
  readonly started: boolean;
  setHeaders(headers: Record<string, string>): void;
  fail(body: OpenAiErrorBody): void;
}

export interface ServeTask {
  deps: TaskDeps;
  key: ApiKeyInfo;
  request: FastifyRequest;
  reply: FastifyReply;
  /** The response id, for the logs. */
  id: string;
  task: Task;
  sink: RouteSink;
  /** The stream, for a streamed request. */
  stream: OpenStream | null;
}

/**
 * Dispatches and accounts the task. Resolves with the result, or with undefined when it
 * failed after the stream started (the error was sent in it); throws the 4xx/5xx otherwise.
 */
export async function serveTask(serve: ServeTask): Promise<DispatchResult | undefined> {
  const { deps, key, request, reply, id, task, stream } = serve;
  const model = taskModel(task);
  const streamed = stream !== null;
  const started = performance.now();
  const clientGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) clientGone.abort();
  });
  // Revoking the key stops the request, and it ends with that error instead.
  let endedBy: ApiError | null = null;
  const forget = deps.openRequests.open(key.id, (error) => {
    endedBy = error;
    clientGone.abort();
  });
  const pin = request.headers[ROUTE_HEADER];
  let result: DispatchResult;
  try {
    result = await deps.router.dispatch(task, {
      orgId: key.orgId,
      body: request.body as Record<string, unknown>,
      pin: typeof pin === 'string' && pin !== '' ? pin : undefined,
      signal: clientGone.signal,
      onStart: (route, attempts) => stream?.setHeaders(routeHeaders(route, attempts)),
      sink: serve.sink,
    });
  } catch (thrown) {
    if (!(thrown instanceof DispatchError)) throw thrown;
    const error = endedBy
      ? new DispatchError(
          endedBy,
          thrown.attempts,
          thrown.routes,
          thrown.segments,
          thrown.timeToFirstTokenMs,
        )
      : thrown;
    const { apiError } = error;
    const cancelled = clientGone.signal.aborted && !endedBy;
    deps.logger.info(cancelled ? 'request cancelled' : 'request failed', {
      id,
      kind: task.kind,
      model,
      stream: streamed,
      status: apiError.status,
      code: apiError.code,
      attempts: error.attempts,
    });
    if (error.attempts > 0 || error.segments.length > 0) {
      void accountRequest(deps, key, id, model, {
        kind: 'failed',
        error,
        latencyMs: performance.now() - started,
      });
    }
    if (!stream?.started) throw apiError;
    stream.fail(apiError.toBody());
    return undefined;
  } finally {
    forget();
  }
  // Not awaited: its writes are already issued, so the client need not wait for the ledger.
  void accountRequest(deps, key, id, model, { kind: 'served', result });
  deps.logger.info('request done', {
    id,
    kind: task.kind,
    route: result.route.id,
    attempts: result.attempts,
    model,
    stream: streamed,
    finishReason: result.finishReason,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
  });
  if (!streamed) void reply.headers(routeHeaders(result.route, result.attempts));
  return result;
}
