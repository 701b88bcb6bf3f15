/**
 * What every client endpoint does around the router: dispatch the task under the caller's
 * organization (and `x-byoi-route` pin), stop when the client goes away, log the outcome
 * (never the prompt or output), and account the request, served or failed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorText } from '../../common/log.js';
import type { ApiError, OpenAiErrorBody } from '../../common/openaiErrors.js';
import {
  accountCacheHit,
  accountRequest,
  billedTotal,
  type AccountedRequest,
  type AccountingDeps,
} from '../accounting/requestAccounting.js';
import { priceJob } from '../../common/protocol.js';
import type { ChatCompletion } from '../../common/openai.js';
import { admitTask } from '../policy/admitTask.js';
import { CACHE_ROUTE, type CachedReply } from '../policy/cachedReply.js';
import type { ChatCacheStep } from '../policy/chatCache.js';
import type { Admission, Policy } from '../policy/policy.js';
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
  /** Rate limits, quotas and the cache, in front of the router. */
  policy: Policy;
}

/** The header that pins a request to one route its rule allows. */
export const ROUTE_HEADER = 'x-byoi-route';

/** The route the request pins with `x-byoi-route`, if any. */
export function pinOf(request: FastifyRequest): string | undefined {
  const pin = request.headers[ROUTE_HEADER];
  return typeof pin === 'string' && pin !== '' ? pin : undefined;
}

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
  /** The response cache's step, for a chat request its organization caches. */
  cache?: ChatCacheStep;
}

/** A request the cache answered: the body to send, or undefined once a stream was written. */
export interface Replayed {
  replayed: ChatCompletion | undefined;
}

/**
 * Admits, dispatches and accounts the task. Resolves with the result, or with undefined when
 * it failed after the stream started (the error was sent in it), or with the replay when the
 * cache answered; throws the 4xx/5xx otherwise.
 */
export async function serveTask(
  serve: ServeTask & { cache: ChatCacheStep | undefined },
): Promise<DispatchResult | Replayed | undefined>;
export async function serveTask(serve: ServeTask): Promise<DispatchResult | undefined>;
export async function serveTask(serve: ServeTask): Promise<DispatchResult | Replayed | undefined> {
  const { deps, key, request, reply, id, task, stream } = serve;
  const model = taskModel(task);
  const streamed = stream !== null;
  const started = performance.now();
  const pinned = pinOf(request);
  const body = request.body as Record<string, unknown>;
  // A refusal (429) is thrown from here, before anything is dispatched or counted as open.
  const admission = await admitTask(deps.policy, deps.router, key, task, body, pinned);
  if (stream) stream.setHeaders(admission.headers);
  else void reply.headers(admission.headers);
  // The ledger is not awaited (its writes are already issued); the policy's counters are,
  // so that a client that sees its answer sees them corrected too.
  const account = (accounted: AccountedRequest): Promise<void> => {
    void accountRequest(deps, key, id, model, accounted);
    return admission.settle(billedTotal(accounted));
  };
  // A cache that cannot answer is a miss, never the request's failure.
  const cached = await serve.cache?.lookup().catch((error: unknown) => {
    deps.logger.warn('cache lookup failed', { id, error: errorText(error) });
    return null;
  });
  if (cached) return answerFromCache(serve, serve.cache!, cached, admission, started);
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
  let result: DispatchResult;
  try {
    result = await deps.router.dispatch(task, {
      orgId: key.orgId,
      apiKeyId: key.id,
      body,
      pin: pinned,
      signal: clientGone.signal,
      onStart: (route, attempts) => stream?.setHeaders(routeHeaders(route, attempts)),
      sink: serve.sink,
    });
  } catch (thrown) {
    if (!(thrown instanceof DispatchError)) {
      await admission.settle({ tokens: 0, nanos: 0 });
      throw thrown;
    }
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
    const failed: AccountedRequest = {
      kind: 'failed',
      error,
      latencyMs: performance.now() - started,
    };
    if (error.attempts > 0 || error.segments.length > 0) await account(failed);
    else await admission.settle(billedTotal(failed));
    if (!stream?.started) throw apiError;
    stream.fail(apiError.toBody());
    return undefined;
  } finally {
    forget();
  }
  await account({ kind: 'served', result });
  void serve.cache
    ?.keep(result)
    .catch((error: unknown) =>
      deps.logger.warn('caching an answer failed', { id, error: errorText(error) }),
    );
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

/** Answers from the cache: billed as its policy says, accounted with the route `cache`. */
async function answerFromCache(
  serve: ServeTask,
  cache: ChatCacheStep,
  entry: CachedReply,
  admission: Admission,
  started: number,
): Promise<Replayed> {
  const { deps, key, id, task, reply } = serve;
  const price = cache.billed(entry);
  const { promptTokens, completionTokens } = entry.usage;
  const charged = priceJob(price, promptTokens, completionTokens, 0).chargedNanos;
  void accountCacheHit(deps, key, id, taskModel(task), {
    promptTokens,
    completionTokens,
    price,
    latencyMs: performance.now() - started,
  });
  await admission.settle({
    tokens: charged > 0 ? promptTokens + completionTokens : 0,
    nanos: charged,
  });
  deps.logger.info('request done', {
    id,
    kind: task.kind,
    route: CACHE_ROUTE,
    model: taskModel(task),
    stream: serve.stream !== null,
    promptTokens,
    completionTokens,
  });
  const headers = { ...admission.headers, [ROUTE_HEADER]: CACHE_ROUTE, 'x-byoi-attempts': '1' };
  return { replayed: cache.replay(reply, entry, id, headers) };
}
