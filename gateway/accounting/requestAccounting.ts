/**
 * Accounts one client request, whatever served it: each node segment is settled with a
 * signed receipt (the node's owner is credited, less the fee); each upstream segment debits
 * the organization at the provider's price, with no node credit and the provider's cost
 * kept for margins; a request nothing served leaves an error row, so reports count it.
 */
import { randomUUID } from 'node:crypto';
import { priceJob } from '../../common/protocol.js';
import type { Logger } from '../../common/log.js';
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
  // A request that ended in an error (its key revoked, too) costs the client nothing, and
  // earns nothing: its segments are recorded (and node jobs get their receipts) at zero
  // tokens. One the client closed itself pays for what it received.
  const free = !served && request.error.apiError.status !== CLIENT_CLOSED;
  try {
    if (segments.length === 0) return await recordFailure(deps, key, model, routes, facts);
    // Timings belong to the request, once: later segments carry none.
    await Promise.all(
      segments.map((delivered, index) => {
        const segment = free ? { ...delivered, promptTokens: 0, completionTokens: 0 } : delivered;
        const segmentFacts =
          index === 0 ? facts : { ...facts, timeToFirstTokenMs: null, latencyMs: null };
        return segment.route.kind === 'node'
          ? settleNode(deps, key, model, segment, segmentFacts)
          : recordUpstream(deps, key, model, segment, segmentFacts, delivered);
      }),
    );
  } catch (error) {
    deps.logger.error('accounting failed', {
      requestId,
      error: error instanceof Error ? error.message : String(error),
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
