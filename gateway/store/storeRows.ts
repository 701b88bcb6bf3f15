/**
 * Row shapes of the gateway tables and their mapping to the store's types, plus the checks
 * on values before they are written.
 */
import type { ModelPrice } from '../../common/protocol.js';
import {
  STORE_LIMITS,
  type ApiKeyInfo,
  type NodeFault,
  type NodeRecord,
  type NewUsageRecord,
  type Org,
  type UsageOutcome,
  type UsageRecord,
} from './types.js';

/**
 * PGlite hands back timestamptz as Date, and int8 as number or bigint (past 2^53);
 * `postgresDb.ts` makes node-postgres do the same (its default for int8 is a string).
 */
type Int8 = number | bigint | string;

export const KEY_COLUMNS = 'id, org_id, name, rate_limit_per_minute, created_at, revoked_at';
/** The node's columns and its faults (as a jsonb array); `nodes` must not be aliased. */
export const NODE_COLUMNS = `id, org_id, name, public_key, enrolled_at, revoked_at, quarantined_at,
  (SELECT COALESCE(jsonb_agg(jsonb_build_object('kind', kind, 'count', count,
      'lastAt', last_at, 'lastDetail', last_detail) ORDER BY kind), '[]'::jsonb)
   FROM node_faults WHERE node_faults.node_id = nodes.id) AS faults`;

export interface OrgRow {
  id: string;
  name: string;
  created_at: Date;
}

export interface ApiKeyRow {
  id: string;
  org_id: string;
  name: string;
  rate_limit_per_minute: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

export interface NodeRow {
  id: string;
  org_id: string;
  name: string;
  public_key: string;
  enrolled_at: Date;
  revoked_at: Date | null;
  quarantined_at: Date | null;
  /** jsonb: timestamps come as text. */
  faults: (Omit<NodeFault, 'lastAt'> & { lastAt: string })[];
}

export interface UsageRow {
  job_id: string;
  org_id: string;
  api_key_id: string;
  node_id: string | null;
  route: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  price_prompt: number;
  price_completion: number;
  charged_nanos: Int8;
  fee_nanos: Int8;
  credited_nanos: Int8;
  created_at: Date;
  rewards_nanos: Int8;
  exchange_nanos: Int8;
  mission_nanos: Int8;
  mission_cause: string | null;
  request_id: string;
  cost_nanos: Int8;
  ttft_ms: number | null;
  latency_ms: number | null;
  attempts: number;
  outcome: UsageOutcome;
  routes: string;
}

/** An int8 as a number (exact up to 2^53 nano-USD, about nine million dollars). */
export function int8(value: Int8 | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export const toOrg = (row: OrgRow): Org => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at.toISOString(),
});

export const toApiKey = (row: ApiKeyRow): ApiKeyInfo => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  rateLimitPerMinute: row.rate_limit_per_minute,
  createdAt: row.created_at.toISOString(),
  revokedAt: iso(row.revoked_at),
});

export const toNode = (row: NodeRow): NodeRecord => ({
  id: row.id,
  orgId: row.org_id,
  name: row.name,
  publicKey: row.public_key,
  enrolledAt: row.enrolled_at.toISOString(),
  revokedAt: iso(row.revoked_at),
  quarantinedAt: iso(row.quarantined_at),
  faults: row.faults.map((fault) => ({ ...fault, lastAt: new Date(fault.lastAt).toISOString() })),
});

export const toUsage = (row: UsageRow): UsageRecord => ({
  jobId: row.job_id,
  orgId: row.org_id,
  apiKeyId: row.api_key_id,
  nodeId: row.node_id,
  route: row.route,
  model: row.model,
  promptTokens: row.prompt_tokens,
  completionTokens: row.completion_tokens,
  price: { prompt: row.price_prompt, completion: row.price_completion },
  chargedNanos: int8(row.charged_nanos),
  feeNanos: int8(row.fee_nanos),
  creditedNanos: int8(row.credited_nanos),
  createdAt: row.created_at.toISOString(),
  rewardsNanos: int8(row.rewards_nanos),
  exchangeNanos: int8(row.exchange_nanos),
  missionNanos: int8(row.mission_nanos),
  missionCause: row.mission_cause,
  requestId: row.request_id,
  costNanos: int8(row.cost_nanos),
  timeToFirstTokenMs: row.ttft_ms,
  latencyMs: row.latency_ms,
  attempts: row.attempts,
  outcome: row.outcome,
  routes: row.routes,
});

/**
 * A refused value, naming the field as the admin API's bodies name it (`baseUrl`,
 * `price.prompt`), so that a 400 can say which one.
 */
export class FieldError extends RangeError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RangeError';
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A short label (names of orgs, keys and nodes): at most 128 characters, no control characters. */
export function checkLabel(what: string, value: string, allowEmpty: boolean): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  const max = STORE_LIMITS.nameLength;
  if ((!allowEmpty && trimmed === '') || trimmed.length > max || CONTROL.test(trimmed)) {
    throw new RangeError(
      `${what} must be ${allowEmpty ? 'at most' : '1 to'} ${max} characters without control characters`,
    );
  }
  return trimmed;
}

/** A whole number in `[min, max]`. */
export function checkInteger(what: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/** A base64 raw Ed25519 public key, in canonical form so that lookups by string match. */
export function checkPublicKey(publicKey: string): string {
  const bytes = typeof publicKey === 'string' ? Buffer.from(publicKey, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32 || bytes.toString('base64') !== publicKey) {
    throw new RangeError('publicKey must be the base64 of a raw 32-byte Ed25519 public key');
  }
  return publicKey;
}

/** Checks a usage record before it is written: ids, counts, and that the money adds up. */
export function checkUsage(record: NewUsageRecord): void {
  checkLabel('jobId', record.jobId, false);
  checkInteger('promptTokens', record.promptTokens, 0, 2 ** 31 - 1);
  checkInteger('completionTokens', record.completionTokens, 0, 2 ** 31 - 1);
  for (const field of ['chargedNanos', 'feeNanos', 'creditedNanos'] as const) {
    checkInteger(field, record[field], 0, Number.MAX_SAFE_INTEGER);
  }
  if (record.chargedNanos !== record.feeNanos + record.creditedNanos) {
    throw new RangeError(
      `Usage for job '${record.jobId}' does not add up: charged ${record.chargedNanos} ≠ ` +
        `fee ${record.feeNanos} + credited ${record.creditedNanos}`,
    );
  }
  const { prompt, completion } = record.price;
  if (!(prompt >= 0 && completion >= 0 && Number.isFinite(prompt + completion))) {
    throw new RangeError(`Usage for job '${record.jobId}' has an invalid price`);
  }
  if (Number.isNaN(Date.parse(record.createdAt))) {
    throw new RangeError(`Usage for job '${record.jobId}' has an invalid createdAt`);
  }
  checkUsageMetrics(record);
}

/** The request-level fields of a usage record (all optional). */
function checkUsageMetrics(record: NewUsageRecord): void {
  if (record.requestId !== undefined) checkLabel('requestId', record.requestId, false);
  if (record.costNanos !== undefined)
    checkInteger('costNanos', record.costNanos, 0, Number.MAX_SAFE_INTEGER);
  for (const field of ['timeToFirstTokenMs', 'latencyMs'] as const) {
    const value = record[field];
    if (value !== undefined && value !== null && !(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`${field} must be a number of ms, at least 0, or null; got ${value}`);
    }
  }
  if (record.attempts !== undefined) checkInteger('attempts', record.attempts, 1, 32_767);
  if (record.outcome !== undefined && record.outcome !== 'ok' && record.outcome !== 'error') {
    throw new RangeError(`outcome must be 'ok' or 'error', got '${String(record.outcome)}'`);
  }
  if (
    record.routes !== undefined &&
    (typeof record.routes !== 'string' ||
      record.routes.length > 4096 ||
      CONTROL.test(record.routes))
  ) {
    throw new RangeError('routes must be at most 4096 characters without control characters');
  }
}

/** A price in USD per 1M tokens: 0 to {@link STORE_LIMITS.maxPrice}. */
export function checkPrice(field: string, value: unknown): number {
  const max = STORE_LIMITS.maxPrice;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new FieldError(
      field,
      `${field} must be a price from 0 to ${max} USD per 1M tokens, got ${String(value)}`,
    );
  }
  return value;
}

/** Both prices of a {@link ModelPrice}, each 0 to the limit. */
export function checkModelPrice(field: string, value: unknown): ModelPrice {
  const price = (value ?? {}) as Partial<ModelPrice>;
  if (typeof value !== 'object' || value === null)
    throw new FieldError(field, `${field} must have a prompt and a completion price`);
  return {
    prompt: checkPrice(`${field}.prompt`, price.prompt),
    completion: checkPrice(`${field}.completion`, price.completion),
  };
}

/** Whether `value` has a control character. */
export const hasControl = (value: string): boolean => CONTROL.test(value);
