/**
 * The response cache's key: a SHA-256 over a canonical JSON of the organization, what serves
 * the model (the backing), and the whole normalized request, less what only changes how the
 * answer is delivered (`stream`, `stream_options`) or who asked (`user`).
 */
import { createHash } from 'node:crypto';
import type { ChatCompletionRequest } from '../../common/openai.js';
import { RelayRoute } from '../cluster/relayRoute.js';
import { NodeRoute } from '../routing/nodeRoute.js';
import type { Route } from '../routing/route.js';
import { UpstreamRoute } from '../upstream/upstreamRoute.js';

/** Bumped when the key's input changes shape, so that older entries are never hit. */
const KEY_VERSION = 1;

/** Request fields that never change the answer's content. */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(['stream', 'stream_options', 'user']);

/** Whether the answer is meant to be repeatable: temperature 0, or a seed set. */
export function isDeterministic(request: ChatCompletionRequest): boolean {
  return request.temperature === 0 || (request.seed !== undefined && request.seed !== null);
}

/**
 * The cache key (64 hex digits) of `request` for `orgId` on `backing` (see
 * {@link backingOf}). Object keys are sorted at every depth; top-level fields left at their
 * default (absent or null) count as absent. `body`, the client's JSON as it came, adds the
 * fields the schema does not know (an upstream gets them, e.g. `logit_bias`); the parsed
 * request wins over it for the fields it has.
 */
export function cacheKey(
  orgId: string,
  backing: string,
  request: ChatCompletionRequest,
  body?: Record<string, unknown>,
): string {
  const normalized: Record<string, unknown> = {};
  for (const [field, value] of Object.entries({ ...body, ...request })) {
    if (IGNORED_FIELDS.has(field) || value === undefined || value === null) continue;
    normalized[field] = value;
  }
  const input = canonicalJson({ v: KEY_VERSION, org: orgId, backing, request: normalized });
  return createHash('sha256').update(input).digest('hex');
}

/**
 * The keys a request may be cached under, looked up before routing: one per distinct
 * backing of `model` among `routes`, in their order (routes with no backing add none).
 */
export function cacheKeys(
  orgId: string,
  routes: readonly Route[],
  request: ChatCompletionRequest,
  body?: Record<string, unknown>,
): string[] {
  const keys: string[] = [];
  for (const route of routes) {
    const backing = backingOf(route, request.model);
    if (backing === null) continue;
    const key = cacheKey(orgId, backing, request, body);
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/**
 * What produces `model`'s answers on `route`: `upstream:<provider>:<its model id>` for an
 * upstream route, `gguf:<sha256>` of the file a node announced for it (linked here, or to
 * another instance of the cluster). Null when that is not
 * known (a node that announced no hash, a model the route does not serve): then the answer
 * is not cached.
 */
export function backingOf(route: Route, model: string): string | null {
  if (route instanceof UpstreamRoute) {
    const upstreamModel = route.providerModel(model);
    return upstreamModel === undefined ? null : `upstream:${route.name}:${upstreamModel}`;
  }
  const sha256 =
    route instanceof NodeRoute
      ? route.session.announced(model)?.sha256
      : route instanceof RelayRoute
        ? route.sha256Of(model)
        : undefined;
  return sha256 ? `gguf:${sha256}` : null;
}

/** JSON with object keys sorted at every depth and `undefined` members left out. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}
