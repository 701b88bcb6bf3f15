/**
 * `POST /internal/v1/relay`, registered only when the gateway is clustered: another
 * instance of the cluster hands over a request for a node this instance holds. The caller
 * proves itself with the cluster secret (compared in constant time; 401 otherwise). The
 * request runs under the organization's routing rule on that local node only, never relayed
 * again nor sent upstream, and is accounted here (the node's receipt, the usage row); the
 * output goes back as SSE events ({@link RelayEvent}), headers at the first one, so that a
 * refusal before any output is a plain OpenAI-shaped HTTP error.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { sseData } from '../../common/chatStream.js';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { completionRequestSchema } from '../../common/openaiCompletions.js';
import { embeddingInputs, embeddingsRequestSchema } from '../../common/openaiEmbeddings.js';
import { ApiError, parseOrThrow } from '../../common/openaiErrors.js';
import { accountRequest, type AccountingDeps } from '../accounting/requestAccounting.js';
import { DispatchError, type DispatchResult } from '../routing/dispatchTypes.js';
import type { Task } from '../routing/route.js';
import type { ConnectionCap } from '../httpLimits.js';
import type { Router } from '../routing/router.js';
import type { ApiKeyInfo } from '../store/types.js';
import { RELAY_PATH, type RelayEvent } from './relayRoute.js';
import { SseWriter } from '../../common/node/sseWriter.js';

export interface RelayEndpointDeps extends AccountingDeps {
  router: Router;
  /** The cluster secret every instance shares. */
  secret: string;
  /** Told of each connection that carried the secret, so that it leaves the unauthenticated cap. */
  connections?: Pick<ConnectionCap, 'authenticated'>;
}

const relayRequestSchema = z.object({
  nodeId: z.string().min(1).max(200),
  orgId: z.string().min(1).max(200),
  apiKeyId: z.string().max(200).nullable(),
  kind: z.enum(['chat', 'embeddings', 'completions']),
  request: z.record(z.string(), z.unknown()),
});

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Whether `authorization` is `Bearer <secret>`, compared in constant time. */
export function clusterSecretMatches(authorization: string | undefined, secret: string): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(secret)) && given.length > 0;
}

function toTask(kind: 'chat' | 'embeddings' | 'completions', body: unknown): Task {
  if (kind === 'chat') return { kind, request: parseOrThrow(chatCompletionRequestSchema, body) };
  if (kind === 'completions') {
    return { kind, request: parseOrThrow(completionRequestSchema, body) };
  }
  const request = parseOrThrow(embeddingsRequestSchema, body);
  return { kind, request, inputs: embeddingInputs(request.input) };
}

/** Registers the relay endpoint. */
export function registerRelayEndpoint(app: FastifyInstance, deps: RelayEndpointDeps): void {
  // Checked before the body is read: a caller without the secret gets a 401, never a 400.
  const onRequest = async (request: FastifyRequest) => {
    if (!clusterSecretMatches(request.headers.authorization, deps.secret)) {
      throw new ApiError(
        401,
        'This endpoint is for the instances of the gateway cluster only',
        'invalid_request_error',
        'invalid_cluster_secret',
      );
    }
    deps.connections?.authenticated(request.raw.socket);
  };
  app.post(RELAY_PATH, { onRequest }, async (request, reply) => {
    const relayed = parseOrThrow(relayRequestSchema, request.body);
    const task = toTask(relayed.kind, relayed.request);
    return serveRelayed(deps, reply, relayed, task);
  });
}

async function serveRelayed(
  deps: RelayEndpointDeps,
  reply: FastifyReply,
  relayed: z.infer<typeof relayRequestSchema>,
  task: Task,
): Promise<undefined> {
  const key: ApiKeyInfo = {
    id: relayed.apiKeyId ?? '',
    orgId: relayed.orgId,
    name: '',
    rateLimitPerMinute: null,
    createdAt: '',
    revokedAt: null,
  };
  const id = `relay-${randomUUID().replaceAll('-', '')}`;
  const model = task.request.model;
  const started = performance.now();
  const sse = new SseWriter(reply);
  const send = (event: RelayEvent, last = false) =>
    last ? sse.end(sseData(event)) : sse.write(sseData(event));
  const callerGone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) callerGone.abort();
  });
  let result: DispatchResult;
  try {
    result = await deps.router.dispatchRelayed(
      task,
      {
        orgId: relayed.orgId,
        apiKeyId: relayed.apiKeyId ?? undefined,
        signal: callerGone.signal,
        onStart: () => undefined,
        sink: { delta: (delta) => send({ delta }), chunk: () => undefined },
      },
      relayed.nodeId,
    );
  } catch (thrown) {
    if (!(thrown instanceof DispatchError)) throw thrown;
    if (thrown.attempts > 0 || thrown.segments.length > 0) {
      void accountRequest(deps, key, id, model, {
        kind: 'failed',
        error: thrown,
        latencyMs: performance.now() - started,
      });
    }
    if (!sse.started) throw thrown.apiError;
    send({ error: thrown.apiError.toBody().error, status: thrown.apiError.status }, true);
    return undefined;
  }
  // Awaited: once the caller has its answer, any instance's ledger shows the job.
  await accountRequest(deps, key, id, model, { kind: 'served', result });
  deps.logger.info('relayed request done', {
    id,
    nodeId: relayed.nodeId,
    model,
    promptTokens: result.usage.promptTokens,
    completionTokens: result.usage.completionTokens,
  });
  send(
    {
      done: {
        finishReason: result.finishReason,
        usage: result.usage,
        ...(result.vectors ? { vectors: result.vectors.map((vector) => [...vector]) } : {}),
      },
    },
    true,
  );
  return undefined;
}
