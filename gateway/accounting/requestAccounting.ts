/**
 * Accounts one client request, whatever served it: each node segment is settled with a
 * signed receipt (the node's owner is credited, less the fee); each upstream segment debits
 * the organization at the provider's price, with no node credit and the provider's cost
 * kept for margins; a request nothing served leaves an error row, so reports count it.
 */
import { randomUUID } from 'node:crypto';
import { priceJob, type ModelPrice } from '../../common/protocol.js';
import { CACHE_ROUTE } from '../policy/cachedReply.js';
import { errorText, type Logger } from '../../common/log.js';
import { NodeRoute } from '../routing/nodeRoute.js';
import type { DispatchError, DispatchResult, ServedSegment } from '../routing/dispatchTypes.js';
import type { ApiKeyInfo, GatewayStore } from '../store/types.js';
import { settleJob, type RequestFacts } from './receipts.js';
import type { ReceiptSigner } from './signingKey.js';

export interface AccountingDeps {
  store: GatewayStore;
  signer: ReceiptSigner;
  /** The network fee on node jobs, in basis points of the charge. */
  feeBasisPoints: number;
  logger: Logger;
}

/** The status of a request its client closed (`clientGoneError`). */
const CLIENT_CLOSED = 499;

/** All of an upstream charge stays with the network: it pays the provider itself. */
const ALL_FEE = 10_000;

/** The served request, or the failed one, as the ledger needs it. */
export type AccountedRequest =
  | { kind: 'served'; result: DispatchResult }
  | { kind: 'failed'; error: DispatchError; latencyMs: number };

/**
 * The segments as the client pays for them. A request that ended in an error (its key
 * revoked, too) costs the client nothing, and earns nothing: its segments are recorded (and
 * node jobs get their receipts) at zero tokens. One the client closed itself pays for what
 * it received.
 */
export function billedSegments(request: AccountedRequest): ServedSegment[] {
  if (request.kind === 'served') return request.result.segments;
  const free = request.error.apiError.status !== CLIENT_CLOSED;
  const { segments } = request.error;
  return free ? segments.map((s) => ({ ...s, promptTokens: 0, completionTokens: 0 })) : segments;
}

/** What the client pays for the request: tokens, and nano-USD at each segment's price. */
export function billedTotal(request: AccountedRequest): { tokens: number; nanos: number } {
  let tokens = 0;
  let nanos = 0;
  for (const segment of billedSegments(request)) {
    tokens += segment.promptTokens + segment.completionTokens;
    nanos += priceJob(
      segment.price,
      segment.promptTokens,
      segment.completionTokens,
      0,
    ).chargedNanos;
  }
  return { tokens, nanos };
}

/**
 * Records the request; a ledger failure is logged, never the client's error. Every write
 * is issued before this returns its promise, so that a later read of the same store (one
 * gateway's admin API) sees them: the caller may answer its client without waiting.
 */
export async function accountRequest(
  deps: AccountingDeps,
  key: ApiKeyInfo,
  requestId: string,
  model: string,
  request: AccountedRequest,
): Promise<void> {
  const served = request.kind === 'served';
  const { segments, attempts, routes } = served ? request.result : request.error;
  const facts: RequestFacts = {
    requestId,
    attempts,
    outcome: served ? 'ok' : 'error',
    routes: routes.join(','),
    timeToFirstTokenMs: served
      ? request.result.timeToFirstTokenMs
      : request.error.timeToFirstTokenMs,
    latencyMs: served ? request.result.latencyMs : request.latencyMs,
  };
  const billed = billedSegments(request);
  try {
    if (segments.length === 0) {
      // A relayed try is accounted by the instance that ran it (gateway/cluster/).
      if (routes.length > 0 && routes.every((id) => id.startsWith('relay:'))) return;
      return await recordFailure(deps, key, model, routes, facts);
    }
    // Timings belong to the request, once: later segments carry none.
    await Promise.all(
      segments.map((delivered, index) => {
        const segment = billed[index]!;
        const segmentFacts =
          index === 0 ? facts : { ...facts, timeToFirstTokenMs: null, latencyMs: null };
        // The instance that served a relayed segment recorded it and sent its receipt; here
        // it counts only towards the quota (billedTotal).
        if (segment.route.kind === 'relay') return Promise.resolve();
        return segment.route.kind === 'node'
          ? settleNode(deps, key, model, segment, segmentFacts)
          : recordUpstream(deps, key, model, segment, segmentFacts, delivered);
      }),
    );
  } catch (error) {
    deps.logger.error('accounting failed', {
      requestId,
      error: errorText(error),
    });
  }
}

async function settleNode(
  deps: AccountingDeps,
  key: ApiKeyInfo,
  model: string,
  segment: ServedSegment,
  facts: RequestFacts,
): Promise<void> {
  const { route } = segment;
  const signed = await settleJob(
    deps.store,
    deps.signer,
    {
      jobId: segment.jobId,
      nodeId: route.nodeId!,
      model,
      promptTokens: segment.promptTokens,
      completionTokens: segment.completionTokens,
      price: segment.price,
      orgId: key.orgId,
      apiKeyId: key.id,
    },
    deps.feeBasisPoints,
    new Date(),
    facts,
  );
  if (signed && route instanceof NodeRoute)
    route.session.sendReceipt(signed.receipt, signed.signature);
}

async function recordUpstream(
  deps: AccountingDeps,
  key: ApiKeyInfo,
  model: string,
  segment: ServedSegment,
  facts: RequestFacts,
  /** What the provider really served: the network pays for it even when the client does not. */
  used: ServedSegment,
): Promise<void> {
  const { promptTokens, completionTokens } = segment;
  const money = priceJob(segment.price, promptTokens, completionTokens, ALL_FEE);
  const cost = used.cost ? priceJob(used.cost, used.promptTokens, used.completionTokens, 0) : null;
  await deps.store.recordUsage({
    jobId: segment.jobId,
    orgId: key.orgId,
    apiKeyId: key.id,
    nodeId: null,
    route: segment.route.label,
    model,
    promptTokens,
    completionTokens,
    price: segment.price,
    ...money,
    costNanos: cost?.chargedNanos ?? 0,
    createdAt: new Date().toISOString(),
    ...facts,
  });
}

/** A request the response cache answered: no node, no provider; the network keeps the charge. */
export async function accountCacheHit(
  deps: AccountingDeps,
  key: ApiKeyInfo,
  requestId: string,
  model: string,
  hit: { promptTokens: number; completionTokens: number; price: ModelPrice; latencyMs: number },
): Promise<void> {
  const { promptTokens, completionTokens, price } = hit;
  try {
    await deps.store.recordUsage({
      jobId: `cache_${randomUUID().replaceAll('-', '')}`,
      orgId: key.orgId,
      apiKeyId: key.id,
      nodeId: null,
      route: CACHE_ROUTE,
      model,
      promptTokens,
      completionTokens,
      price,
      ...priceJob(price, promptTokens, completionTokens, ALL_FEE),
      costNanos: 0,
      createdAt: new Date().toISOString(),
      requestId,
      attempts: 1,
      outcome: 'ok',
      routes: CACHE_ROUTE,
      timeToFirstTokenMs: hit.latencyMs,
      latencyMs: hit.latencyMs,
    });
  } catch (error) {
    deps.logger.error('accounting failed', {
      requestId,
      error: errorText(error),
    });
  }
}

async function recordFailure(
  deps: AccountingDeps,
  key: ApiKeyInfo,
  model: string,
  routes: string[],
  facts: RequestFacts,
): Promise<void> {
  await deps.store.recordUsage({
    jobId: `req_${randomUUID().replaceAll('-', '')}`,
    orgId: key.orgId,
    apiKeyId: key.id,
    nodeId: null,
    route: routes.at(-1)?.startsWith('node:') ? 'node' : (routes.at(-1) ?? 'none'),
    model,
    promptTokens: 0,
    completionTokens: 0,
    price: { prompt: 0, completion: 0 },
    chargedNanos: 0,
    feeNanos: 0,
    creditedNanos: 0,
    createdAt: new Date().toISOString(),
    ...facts,
  });
}
