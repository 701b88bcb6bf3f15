/**
 * The default {@link GatewayStore}: embedded PostgreSQL (PGlite) in `<dataDir>/pgdata`, so
 * a restart loses nothing, or in memory for tests. Secrets (API keys, enrollment codes)
 * are stored only as SHA-256 hashes; money is integer nano-USD in BIGINT columns.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import {
  ENROLLMENT_CODE_PREFIX,
  findApiKey,
  insertApiKey,
  insertEnrollmentCode,
  randomId,
  selectApiKeys,
  sha256,
} from './apiKeys.js';
import { ApiKeyCache } from './apiKeyCache.js';
import { acquireDirLock, type DirLock } from './dirLock.js';
import { enrollWithCode } from './enrollment.js';
import { migrate } from './migrations.js';
import { queryRecentPrices, sumBalances } from './ledgerSums.js';
import { clearFaults, recordFault } from './nodeFaults.js';
import { readNodeRewards, writeNodeRewards } from './nodeRewards.js';
import {
  deleteProvider,
  insertProvider,
  selectProvider,
  selectProviders,
  updateProviderEnabled,
  upsertProvider,
} from './providers.js';
import { deleteRule, selectRules, upsertRule } from './routingRules.js';
import { findUsage, insertUsageBatch, queryUsage } from './usageLedger.js';
import { WriteBatch } from './writeBatch.js';
import { queryUsageReport } from './usageReport.js';
import {
  checkLabel,
  checkPublicKey,
  checkUsage,
  NODE_COLUMNS,
  toNode,
  toOrg,
  type NodeRow,
  type OrgRow,
} from './storeRows.js';
import type { MarketModel } from '../../common/protocol.js';
import {
  EnrollmentError,
  STORE_LIMITS as LIMITS,
  type ApiKeyInfo,
  type Balances,
  type GatewayStore,
  type NewProvider,
  type NewRoutingRule,
  type NewUsageRecord,
  type NodeFaultKind,
  type NodeFaultOutcome,
  type NodeRecord,
  type NodeRewards,
  type Org,
  type ProviderRecord,
  type RoutingRule,
  type UsageRecord,
  type UsageReportQuery,
  type UsageReportRow,
} from './types.js';

/** The database folder inside the gateway's data folder. */
export const DATABASE_FOLDER = 'pgdata';
/** The most usage rows one group commit writes (25 parameters each, of PostgreSQL's 65,535). */
const USAGE_BATCH_MAX = 1000;
/** How long the first usage row of a group commit waits for others. */
const USAGE_BATCH_WINDOW_MS = 5;
/** Options of {@link openStore}. */
export interface StoreOptions {
  /** The clock for every timestamp the store writes (tests move it to expire codes). */
  now?: () => Date;
}

class PgliteStore implements GatewayStore {
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly apiKeys = new ApiKeyCache((secret) => findApiKey(this.db, secret));
  private readonly usageWrites = new WriteBatch<NewUsageRecord, boolean>(
    (records) => insertUsageBatch(this.db, records),
    USAGE_BATCH_MAX,
    USAGE_BATCH_WINDOW_MS,
  );

  constructor(
    private readonly db: PGlite,
    private readonly lock: DirLock | null,
    private readonly now: () => Date,
  ) {}

  /** Starts one operation at once (a throw becomes its rejection); none once closing. */
  private start<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The gateway store is closed'));
    let promise: Promise<T>;
    try {
      promise = operation();
    } catch (error) {
      return Promise.reject(error);
    }
    this.pending.add(promise);
    const forget = (): void => void this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** Runs one operation after the usage rows recorded before it, so that it sees them. */
  private run<T>(operation: () => Promise<T>): Promise<T> {
    return this.start(() =>
      this.usageWrites.idle ? operation() : this.usageWrites.settled().then(operation),
    );
  }

  createOrg(name: string): Promise<Org> {
    return this.run(async () => {
      const label = checkLabel('Organization name', name, false);
      const { rows } = await this.db.query<OrgRow>(
        'INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) RETURNING *',
        [randomId('org_'), label, this.now()],
      );
      return toOrg(rows[0]!);
    });
  }

  listOrgs(): Promise<Org[]> {
    return this.run(async () => {
      const { rows } = await this.db.query<OrgRow>('SELECT * FROM orgs ORDER BY created_at, id');
      return rows.map(toOrg);
    });
  }

  getOrg(id: string): Promise<Org | null> {
    return this.run(async () => {
      const { rows } = await this.db.query<OrgRow>('SELECT * FROM orgs WHERE id = $1', [id]);
      return rows[0] ? toOrg(rows[0]) : null;
    });
  }

  createApiKey(
    orgId: string,
    name: string,
    rateLimitPerMinute: number | null = null,
  ): Promise<{ key: string; info: ApiKeyInfo }> {
    return this.run(() => insertApiKey(this.db, orgId, name, rateLimitPerMinute, this.now()));
  }

  /** On every request's path: a key lookup needs no usage row, so it never waits for one. */
  authenticateApiKey(secret: string): Promise<ApiKeyInfo | null> {
    return this.start(() => this.apiKeys.authenticate(secret));
  }

  revokeApiKey(id: string): Promise<boolean> {
    return this.run(async () => {
      const revoked = await this.revoke('api_keys', id);
      // After the write, so that no lookup racing it can cache the key again.
      this.apiKeys.forget(id);
      return revoked;
    });
  }

  listApiKeys(orgId?: string): Promise<ApiKeyInfo[]> {
    return this.run(() => selectApiKeys(this.db, orgId));
  }

  createEnrollmentCode(
    orgId: string,
    ttlSeconds = LIMITS.defaultEnrollmentTtlSeconds,
  ): Promise<{ code: string; expiresAt: string }> {
    return this.run(() => insertEnrollmentCode(this.db, orgId, ttlSeconds, this.now()));
  }

  enrollNode(code: string, publicKey: string, name: string): Promise<NodeRecord> {
    return this.run(async () => {
      checkPublicKey(publicKey);
      const label = checkLabel('Node name', name, true);
      if (typeof code !== 'string' || !code.startsWith(ENROLLMENT_CODE_PREFIX)) {
        throw new EnrollmentError('unknown');
      }
      // PGlite runs one transaction at a time, and the conditional UPDATE guards the
      // code as well, so two calls with one code cannot both succeed.
      const node = { id: randomId('node_'), publicKey, name: label, now: this.now() };
      return this.db.transaction((tx) => enrollWithCode(tx, sha256(code), node));
    });
  }

  nodeByPublicKey(publicKey: string): Promise<NodeRecord | null> {
    return this.run(async () => {
      const { rows } = await this.db.query<NodeRow>(
        `SELECT ${NODE_COLUMNS} FROM nodes WHERE public_key = $1`,
        [publicKey],
      );
      return rows[0] ? toNode(rows[0]) : null;
    });
  }

  listNodes(orgId?: string): Promise<NodeRecord[]> {
    return this.run(async () => {
      const { rows } = await this.db.query<NodeRow>(
        `SELECT ${NODE_COLUMNS} FROM nodes WHERE $1::text IS NULL OR org_id = $1
         ORDER BY enrolled_at, id`,
        [orgId ?? null],
      );
      return rows.map(toNode);
    });
  }

  revokeNode(id: string): Promise<boolean> {
    return this.run(() => this.revoke('nodes', id));
  }

  recordNodeFault(
    nodeId: string,
    kind: NodeFaultKind,
    detail: string,
    quarantineAfter: number,
  ): Promise<NodeFaultOutcome | null> {
    return this.run(() => recordFault(this.db, nodeId, kind, detail, quarantineAfter, this.now()));
  }

  clearNodeFaults(nodeId: string): Promise<boolean> {
    return this.run(() => clearFaults(this.db, nodeId));
  }

  private async revoke(table: 'api_keys' | 'nodes', id: string): Promise<boolean> {
    const { rows } = await this.db.query(
      `UPDATE ${table} SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING id`,
      [id, this.now()],
    );
    return rows.length === 1;
  }

  setNodeRewards(nodeId: string, rewards: NodeRewards): Promise<boolean> {
    return this.run(() => writeNodeRewards(this.db, nodeId, rewards));
  }

  nodeRewards(nodeId: string): Promise<NodeRewards | null> {
    return this.run(() => readNodeRewards(this.db, nodeId));
  }

  /** Usage rows are group-committed: those recorded in one turn share a transaction. */
  recordUsage(record: NewUsageRecord): Promise<boolean> {
    return this.start(() => {
      checkUsage(record);
      return this.usageWrites.add(record);
    });
  }

  usageFor(jobId: string): Promise<UsageRecord | null> {
    return this.run(() => findUsage(this.db, jobId));
  }

  listUsage(
    filter: { orgId?: string; nodeId?: string; limit?: number } = {},
  ): Promise<UsageRecord[]> {
    return this.run(() => queryUsage(this.db, filter));
  }

  balances(orgId: string): Promise<Balances> {
    return this.run(() => sumBalances(this.db, orgId));
  }

  recentPrices(since: Date): Promise<MarketModel[]> {
    return this.run(() => queryRecentPrices(this.db, since));
  }

  addProvider(provider: NewProvider): Promise<ProviderRecord> {
    return this.run(() => insertProvider(this.db, provider, this.now()));
  }

  upsertProvider(provider: NewProvider): Promise<ProviderRecord> {
    return this.run(() => upsertProvider(this.db, provider, this.now()));
  }

  listProviders(): Promise<ProviderRecord[]> {
    return this.run(() => selectProviders(this.db));
  }

  getProvider(name: string): Promise<ProviderRecord | null> {
    return this.run(() => selectProvider(this.db, name));
  }

  removeProvider(name: string): Promise<boolean> {
    return this.run(() => deleteProvider(this.db, name));
  }

  setProviderEnabled(name: string, enabled: boolean): Promise<boolean> {
    return this.run(() => updateProviderEnabled(this.db, name, enabled));
  }

  setRoutingRule(rule: NewRoutingRule): Promise<RoutingRule> {
    return this.run(() => upsertRule(this.db, rule, this.now()));
  }

  listRoutingRules(orgId?: string): Promise<RoutingRule[]> {
    return this.run(() => selectRules(this.db, orgId));
  }

  removeRoutingRule(orgId: string, model: string): Promise<boolean> {
    return this.run(() => deleteRule(this.db, orgId, model));
  }

  usageReport(query: UsageReportQuery): Promise<UsageReportRow[]> {
    return this.run(() => queryUsageReport(this.db, query));
  }

  close(): Promise<void> {
    this.closed = true;
    return (this.closing ??= this.finish());
  }

  private async finish(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    try {
      if (!this.db.closed) await this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}

/**
 * Opens (creating and migrating as needed) the gateway database in `<dataDir>/pgdata`, or
 * an in-memory one for `null`. Throws {@link DataDirLockedError} when another live process
 * has the folder open. Close the store before the process exits.
 */
export async function openStore(
  dataDir: string | null,
  options: StoreOptions = {},
): Promise<GatewayStore> {
  const now = options.now ?? (() => new Date());
  if (dataDir === null) {
    const db = await PGlite.create();
    await migrate(db);
    return new PgliteStore(db, null, now);
  }
  const folder = join(resolve(dataDir), DATABASE_FOLDER);
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const lock = acquireDirLock(`${folder}.lock`);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(folder);
    await migrate(db);
    return new PgliteStore(db, lock, now);
  } catch (error) {
    await db?.close().catch(() => undefined);
    lock.release();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the gateway database in ${folder}: ${reason}`, {
      cause: error,
    });
  }
}

export { DataDirLockedError } from './dirLock.js';
export { API_KEY_PREFIX, ENROLLMENT_CODE_PREFIX } from './apiKeys.js';
