/**
 * `admin compare`: the same prompt once on each route that serves the model, side by side
 * (status, time to first token, latency, tokens, cost). Each answer is billed as normal
 * usage to one of the organization's API keys.
 */
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../common/openaiErrors.js';
import { priceJob } from '../../common/protocol.js';
import type { CompareInput, CompareRow } from '../../common/adminRecords.js';
import { accountRequest, type AccountingDeps } from '../accounting/requestAccounting.js';
import { DispatchError } from './dispatchTypes.js';
import type { Router } from './router.js';

export interface CompareDeps extends AccountingDeps {
  router: Router;
}

/** The key billed: the one named, or the organization's oldest active key. */
async function billedKey(deps: CompareDeps, input: CompareInput) {
  const keys = (await deps.store.listApiKeys(input.orgId)).filter((key) => !key.revokedAt);
  const key = input.apiKeyId ? keys.find((k) => k.id === input.apiKeyId) : keys[0];
  if (key) return key;
  throw new ApiError(
    input.apiKeyId ? 404 : 400,
    input.apiKeyId
      ? `No active API key '${input.apiKeyId}' in organization '${input.orgId}'`
      : `Organization '${input.orgId}' has no active API key to bill; create one first`,
    'invalid_request_error',
    input.apiKeyId ? 'not_found' : 'no_api_key',
    input.apiKeyId ? 'apiKeyId' : 'orgId',
  );
}

export async function compareRoutes(deps: CompareDeps, input: CompareInput): Promise<CompareRow[]> {
  const key = await billedKey(deps, input);
  const routes = deps.router
    .routes()
    .filter((route) => route.models().includes(input.model))
    .filter((route) => !input.routes || input.routes.includes(route.id));
  if (routes.length === 0) {
    if (!input.routes) throw ApiError.modelNotFound(input.model);
    throw new ApiError(
      400,
      `None of the routes ${input.routes.join(', ')} serves model '${input.model}'`,
      'invalid_request_error',
      'no_route',
      'routes',
    );
  }
  const request = {
    model: input.model,
    messages: [{ role: 'user' as const, content: input.prompt }],
    max_tokens: input.maxTokens ?? 16,
    temperature: 0,
  };
  const rows: CompareRow[] = [];
  for (const route of routes) {
    const id = `cmp-${randomUUID().replaceAll('-', '')}`;
    const started = performance.now();
    const base = { route: route.label, nodeId: route.nodeId };
    try {
      const result = await deps.router.dispatchOn(route, request, {
        orgId: input.orgId,
        signal: new AbortController().signal,
        onStart: () => {},
        sink: { delta: () => {}, chunk: () => {} },
      });
      await accountRequest(deps, key, id, input.model, { kind: 'served', result });
      const costNanos = result.segments.reduce(
        (sum, s) => sum + priceJob(s.price, s.promptTokens, s.completionTokens, 0).chargedNanos,
        0,
      );
      rows.push({
        ...base,
        status: 200,
        timeToFirstTokenMs: result.timeToFirstTokenMs,
        latencyMs: result.latencyMs,
        promptTokens: result.usage.promptTokens,
        completionTokens: result.usage.completionTokens,
        costNanos,
        error: null,
      });
    } catch (error) {
      if (!(error instanceof DispatchError)) throw error;
      const latencyMs = performance.now() - started;
      await accountRequest(deps, key, id, input.model, { kind: 'failed', error, latencyMs });
      rows.push({
        ...base,
        status: error.apiError.status,
        timeToFirstTokenMs: null,
        latencyMs,
        promptTokens: 0,
        completionTokens: 0,
        costNanos: 0,
        error: error.apiError.message,
      });
    }
  }
  return rows;
}
