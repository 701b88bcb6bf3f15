/**
 * The response cache's part in one chat request. Off unless the organization switched it
 * on; then only deterministic requests (temperature 0, or a seed) use it, and the client's
 * `Cache-Control: no-cache` or `no-store` bypasses it. A hit is looked up under every
 * backing the request's rule allows now (a provider's model, a node model's GGUF hash),
 * so it never crosses organizations or models; a served answer is kept under the backing
 * that produced it.
 */
import type { FastifyReply } from 'fastify';
import type { ChatCompletion, ChatCompletionRequest } from '../../common/openai.js';
import type { DispatchResult } from '../routing/dispatchTypes.js';
import type { RouteSink } from '../routing/route.js';
import type { Router } from '../routing/router.js';
import type { CachePolicy } from '../store/policyTypes.js';
import type { ApiKeyInfo, GatewayStore } from '../store/types.js';
import { backingOf, cacheKey, cacheKeys, isDeterministic } from './cacheKey.js';
import {
  CACHE_HEADER,
  parseCachedReply,
  ReplyRecorder,
  replayCached,
  type CachedReply,
} from './cachedReply.js';
import type { Policy } from './policy.js';

export interface ChatCacheDeps {
  store: GatewayStore;
  policy: Policy;
  router: Router;
}

/** Whether the client asked not to be answered from (or into) a cache. */
function clientRefuses(cacheControl: string | string[] | undefined): boolean {
  const value = Array.isArray(cacheControl) ? cacheControl.join(',') : (cacheControl ?? '');
  return /(^|,)\s*no-(cache|store)\s*(,|$)/i.test(value);
}

/**
 * The cache step of a request: null when its organization has no cache, 'bypass' when the
 * request may not use it (not deterministic, or the client said so).
 */
export function openChatCache(
  deps: ChatCacheDeps,
  key: ApiKeyInfo,
  request: ChatCompletionRequest,
  body: Record<string, unknown>,
  cacheControl: string | string[] | undefined,
  pin: string | undefined,
): ChatCacheStep | 'bypass' | null {
  const policy = deps.policy.cacheFor(key.orgId);
  if (!policy) return null;
  if (!isDeterministic(request) || clientRefuses(cacheControl)) return 'bypass';
  return new ChatCacheStep(deps, key.orgId, policy, request, body, pin);
}

export class ChatCacheStep {
  private readonly recorder = new ReplyRecorder();

  constructor(
    private readonly deps: ChatCacheDeps,
    private readonly orgId: string,
    readonly policy: CachePolicy,
    private readonly request: ChatCompletionRequest,
    private readonly body: Record<string, unknown>,
    private readonly pin: string | undefined,
  ) {}

  /** The stored answer under a backing the request may be served by now, if any. */
  async lookup(): Promise<CachedReply | null> {
    const routes = this.deps.router.candidates(this.orgId, this.request.model, this.pin);
    const keys = cacheKeys(this.orgId, routes, this.request, this.body);
    if (keys.length === 0) return null;
    const hit = await this.deps.store.findCached(this.orgId, keys);
    return hit ? parseCachedReply(hit.body) : null;
  }

  /** The request's sink, recording what the route produces. */
  sink(inner: RouteSink): RouteSink {
    return this.recorder.tee(inner);
  }

  /** Keeps a served answer, unless it cannot be replayed or its backing is unknown. */
  async keep(result: DispatchResult): Promise<void> {
    const backing = backingOf(result.route, this.request.model);
    const entry = backing === null ? null : this.recorder.entry(result);
    if (backing === null || !entry) return;
    const key = cacheKey(this.orgId, backing, this.request, this.body);
    await this.deps.store.storeCached(this.orgId, key, entry, this.policy.ttlSeconds);
  }

  /** What the client pays for a hit, as the policy says. */
  billed(entry: CachedReply): CachedReply['price'] {
    return this.policy.charge === 'full' ? entry.price : { prompt: 0, completion: 0 };
  }

  /** Answers from `entry`: the body to send, or undefined once a stream was written. */
  replay(
    reply: FastifyReply,
    entry: CachedReply,
    id: string,
    headers: Record<string, string>,
  ): ChatCompletion | undefined {
    return replayCached(reply, entry, { request: this.request, id, headers });
  }
}

/** `x-byoi-cache` for a request the cache did not answer. */
export const cacheStateHeader = (step: ChatCacheStep | 'bypass'): Record<string, string> => ({
  [CACHE_HEADER]: step === 'bypass' ? 'bypass' : 'miss',
});
