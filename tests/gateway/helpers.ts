/** Shared bits for the gateway tests: temporary folders, node keys and usage rows. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawPublicKey } from '../../gateway/accounting/ed25519.js';
import type { AdminLive } from '../../gateway/admin/adminLive.js';
import type { NodeRecord } from '../../common/adminRecords.js';
import type {
  Balances,
  NewProvider,
  NewUsageRecord,
  UsageRecord,
} from '../../gateway/store/types.js';

/** A fresh temporary folder, and its removal. */
export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'byoi-gateway-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** The base64 raw public key of a new Ed25519 key pair, as a node would send it. */
export function nodePublicKey(): string {
  return rawPublicKey(generateKeyPairSync('ed25519').publicKey);
}

/** A consistent usage row (charged = fee + credited) with the given ids. */
export function usage(
  jobId: string,
  ids: { orgId: string; apiKeyId: string; nodeId: string | null },
  money: { charged: number; fee: number },
  createdAt = '2030-01-01T00:00:00.000Z',
): NewUsageRecord {
  return {
    jobId,
    ...ids,
    route: ids.nodeId ? 'node' : 'upstream',
    model: 'tiny',
    promptTokens: 10,
    completionTokens: 20,
    price: { prompt: 0.5, completion: 1.5 },
    chargedNanos: money.charged,
    feeNanos: money.fee,
    creditedNanos: money.charged - money.fee,
    createdAt,
  };
}

/**
 * A written row as the store gives it back: request fields defaulted, its credit shared
 * 100/0/0 unless told otherwise.
 */
export function stored(
  record: NewUsageRecord,
  shares: Partial<Pick<UsageRecord, 'exchangeNanos' | 'missionNanos' | 'missionCause'>> = {},
): UsageRecord {
  const exchangeNanos = shares.exchangeNanos ?? 0;
  const missionNanos = shares.missionNanos ?? 0;
  return {
    requestId: record.jobId,
    costNanos: 0,
    timeToFirstTokenMs: null,
    latencyMs: null,
    attempts: 1,
    outcome: 'ok',
    routes: '',
    ...record,
    rewardsNanos: record.creditedNanos - exchangeNanos - missionNanos,
    exchangeNanos,
    missionNanos,
    missionCause: shares.missionCause ?? null,
  };
}

/** Balances of an org whose nodes never sent a split: all earnings are rewards. */
export function balances(spentNanos: number, earnedNanos: number): Balances {
  return {
    spentNanos,
    earnedNanos,
    rewardsNanos: earnedNanos,
    exchangeNanos: 0,
    missionNanos: 0,
    missionByCause: {},
  };
}

/** A valid provider (an unreachable loopback URL), with any field replaced. */
export function provider(name: string, overrides: Partial<NewProvider> = {}): NewProvider {
  return {
    name,
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKeys: ['sk-test-0123456789'],
    models: { tiny: 'tiny-upstream' },
    price: { prompt: 0.5, completion: 1.5 },
    cost: null,
    ...overrides,
  };
}

/**
 * A stand-in for the live router (not under test in the admin tests): no routes, no key
 * states, and it counts how often it was told that providers or rules changed.
 */
export function stubLive(overrides: Partial<AdminLive> = {}): AdminLive & { changes: number } {
  const live = {
    changes: 0,
    routes: () => [],
    keyStates: () => [],
    compare: async () => [],
    fleet: async (nodes: NodeRecord[]) =>
      nodes.map((node) => ({
        ...node,
        online: false,
        paused: false,
        pausedReason: null,
        models: [],
        tokensPerSecond: null,
        slots: null,
        reliability: null,
        earnedNanos: 0,
      })),
    providersChanged: async () => void live.changes++,
    nodeRevoked: () => undefined,
    nodeFaultsCleared: () => undefined,
    apiKeyRevoked: () => undefined,
    policyChanged: async () => void live.changes++,
    ...overrides,
  };
  return live;
}
