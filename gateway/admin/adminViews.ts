/**
 * What the admin API shows of the router's live state: routes with their health, providers
 * with masked keys, and the side-by-side comparison of routes.
 */
import type { KeyState, RouteKind } from '../routing/route.js';
import type { ProviderRecord } from '../store/types.js';

/** State of a route's circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** One route as `GET /admin/v1/routes` lists it. */
export interface RouteView {
  id: string;
  kind: RouteKind;
  /** Provider name, or `node`. */
  label: string;
  nodeId: string | null;
  models: string[];
  state: BreakerState;
  /** When an open breaker lets a probe through (ISO), or null. */
  retryAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** The gateway's own measurements (EWMA over recent tries); null before the first. */
  timeToFirstTokenMs: number | null;
  latencyMs: number | null;
  tokensPerSecond: number | null;
  inFlight: number;
  /** Upstream keys, masked; empty for nodes. */
  keys: KeyState[];
}

/** A provider as the admin API shows it: keys masked, with their live states when known. */
export interface ProviderView extends Omit<ProviderRecord, 'apiKeys'> {
  keys: KeyState[];
}

/** `POST /admin/v1/compare` */
export interface CompareInput {
  orgId: string;
  model: string;
  prompt: string;
  maxTokens?: number;
  /** The API key billed; default the org's oldest active key. */
  apiKeyId?: string;
}

/** One route's answer to the comparison prompt. */
export interface CompareRow {
  route: string;
  nodeId: string | null;
  /** HTTP status the request got (200 on success). */
  status: number;
  timeToFirstTokenMs: number | null;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
  /** Charged to the organization, nano-USD. */
  costNanos: number;
  error: string | null;
}
