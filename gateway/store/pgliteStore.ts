/**
 * The {@link GatewayStore}, over one SQL dialect ({@link SqlDb}): embedded PostgreSQL
 * (PGlite) in `<dataDir>/pgdata` by default, so a restart loses nothing, or in memory for
 * tests; or a PostgreSQL server (`postgres://…`), which several gateways may share.
 * Secrets (API keys, enrollment codes) are stored only as SHA-256 hashes; money is integer
 * nano-USD in BIGINT columns.
 */
import {
  insertOrgAdminKey,
  revokeOrgAdminKeyRow,
  selectOrgAdminKey,
  selectOrgAdminKeys,
  useOrgAdminKey,
} from './orgAdminKeys.js';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ENROLLMENT_CODE_PREFIX,
  findApiKey,
  selectApiKey,
  insertApiKey,
  insertEnrollmentCode,
  randomId,
  selectApiKeys,
  sha256,
} from './apiKeys.js';
import { ApiKeyCache } from './apiKeyCache.js';
import { acquireDirLock, type DirLock } from './dirLock.js';
import { checkPostgresUrl, isPostgresUrl, maskDatabaseUrl } from './databaseUrl.js';
import { openPglite } from './pgliteDb.js';
import type { SqlDb } from './sql.js';
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
import {
  beat,
  ensureSecret,
  leave,
  livePeers,
  readChanges,
  readHealth,
  replaceLinks,
  storeHealth,
  takeHealthLease,
  type ClusterChanges,
  type ClusterLink,
  type ClusterPeer,
  type SharedHealth,
} from './cluster.js';
import { insertAudit, selectAudit } from './auditLog.js';
import { findCached, purgeExpiredCached, storeCached } from './responseCache.js';
import { selectCachePolicies, upsertCachePolicy } from './cachePolicies.js';
import {
  admitRequests,
  deleteRateWindows,
  selectLimits,
  selectQuotaStatus,
  settleRequests,
  upsertQuota,
  upsertRateLimit,
} from './policyLimits.js';
import type {
  AdmissionClaim,
  AdmissionOutcome,
  AuditEntry,
  AuditFilter,
  CachePolicy,
  NewAuditEntry,
  NewCachePolicy,
  NewQuota,
  NewRateLimit,
  PolicySettings,
  Quota,
  QuotaCrossing,
  QuotaStatus,
  RateLimit,
  Settlement,
} from './policyTypes.js';
import { queryNodeEarnings, queryUsageDaily, queryUsageReport } from './usageReport.js';
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
/** The most admissions (or settlements) one statement takes. */
const POLICY_BATCH_MAX = 256;
/** How long the first usage row of a group commit waits for others. */
const USAGE_BATCH_WINDOW_MS = 5;
/** Options of {@link openStore}. */
export interface StoreOptions {
  /** The clock for every timestamp the store writes (tests move it to expire codes). */
  now?: () => Date;
  /** The prebuilt database a fresh data folder starts from (see pgdataImage.ts). */
  image?: URL | string;
}

class SqlStore implements GatewayStore {
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly apiKeys = new ApiKeyCache((secret) => findApiKey(this.db, secret));
  private readonly usageWrites = new WriteBatch<NewUsageRecord, boolean>(
    (records) => insertUsageBatch(this.db, records),
    USAGE_BATCH_MAX,
    USAGE_BATCH_WINDOW_MS,
  );

  /**
   * Admissions and settlements that arrive together share one statement where this process
   * owns the database (PGlite runs one statement at a time anyway). On a shared PostgreSQL
   * each goes alone: a batch would hold its rows' locks together, and two instances'
   * batches could then deadlock.
   */
  private readonly admissions = new WriteBatch<AdmissionClaim, AdmissionOutcome>(
    (claims) => admitRequests(this.db, claims),
    POLICY_BATCH_MAX,
    0,
  );
  private readonly settlements = new WriteBatch<Settlement, QuotaCrossing[]>(
    (items) => settleRequests(this.db, items),
    POLICY_BATCH_MAX,
    0,
  );

  constructor(
    private readonly db: SqlDb,
    private readonly lock: DirLock | null,
    private readonly now: () => Date,
    private readonly shared = false,
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

  getApiKey(id: string) {
    return this.run(() => selectApiKey(this.db, id));
  }

  listApiKeys(orgId?: string): Promise<ApiKeyInfo[]> {
    return this.run(() => selectApiKeys(this.db, orgId));
  }

  createOrgAdminKey(orgId: string, name: string) {
    return this.run(() => insertOrgAdminKey(this.db, orgId, name, this.now()));
  }

  useOrgAdminKey(secret: string) {
    return this.run(() => useOrgAdminKey(this.db, secret, this.now()));
  }

  getOrgAdminKey(id: string) {
    return this.run(() => selectOrgAdminKey(this.db, id));
  }

  listOrgAdminKeys(orgId?: string) {
    return this.run(() => selectOrgAdminKeys(this.db, orgId));
  }

  revokeOrgAdminKey(id: string) {
    return this.run(() => revokeOrgAdminKeyRow(this.db, id, this.now()));
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
      // The code's row lock and the conditional UPDATE make two calls with one code give
      // one node, also on PostgreSQL where the transactions run side by side.
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

  nodeEarnings(orgId?: string) {
    return this.run(() => queryNodeEarnings(this.db, orgId));
  }

  usageDaily(orgId: string, days: number) {
    return this.run(() => queryUsageDaily(this.db, orgId, days, this.now()));
  }

  setRateLimit(limit: NewRateLimit): Promise<RateLimit | null> {
    return this.run(() => upsertRateLimit(this.db, limit, this.now()));
  }

  setQuota(quota: NewQuota): Promise<Quota | null> {
    return this.run(() => upsertQuota(this.db, quota, this.now()));
  }

  quotaStatus(orgId: string, month: string): Promise<QuotaStatus[]> {
    return this.run(() => selectQuotaStatus(this.db, orgId, month));
  }

  setCachePolicy(policy: NewCachePolicy): Promise<CachePolicy> {
    return this.run(() => upsertCachePolicy(this.db, policy, this.now()));
  }

  policySettings(): Promise<PolicySettings> {
    return this.run(async () => ({
      ...(await selectLimits(this.db)),
      caches: await selectCachePolicies(this.db),
    }));
  }

  /** On every limited request's path: counters need no usage row, so it never waits for one. */
  admit(claim: AdmissionClaim): Promise<AdmissionOutcome> {
    return this.start(async () =>
      this.shared ? (await admitRequests(this.db, [claim]))[0]! : this.admissions.add(claim),
    );
  }

  settle(settlement: Settlement): Promise<QuotaCrossing[]> {
    return this.start(async () =>
      this.shared
        ? (await settleRequests(this.db, [settlement]))[0]!
        : this.settlements.add(settlement),
    );
  }

  prunePolicy(windowsBefore: Date): Promise<void> {
    return this.start(async () => {
      await deleteRateWindows(this.db, windowsBefore);
      await purgeExpiredCached(this.db, this.now());
    });
  }

  findCached(orgId: string, keys: string[]): Promise<{ key: string; body: unknown } | null> {
    return this.start(() => findCached(this.db, orgId, keys, this.now()));
  }

  storeCached(orgId: string, key: string, body: unknown, ttlSeconds: number): Promise<boolean> {
    return this.start(() => storeCached(this.db, orgId, key, body, ttlSeconds, this.now()));
  }

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.run(() => insertAudit(this.db, entry, this.now()));
  }

  listAudit(filter: AuditFilter = {}): Promise<AuditEntry[]> {
    return this.run(() => selectAudit(this.db, filter));
  }

  clusterSecret(name: string, candidate: string): Promise<string> {
    return this.start(() => ensureSecret(this.db, name, candidate));
  }

  clusterBeat(instanceId: string, relayUrl: string, staleMs: number): Promise<boolean> {
    return this.start(() => beat(this.db, instanceId, relayUrl, this.now(), staleMs));
  }

  clusterSetLinks(instanceId: string, links: ClusterLink[]): Promise<void> {
    return this.start(() => replaceLinks(this.db, instanceId, links));
  }

  clusterLeave(instanceId: string): Promise<void> {
    return this.start(() => leave(this.db, instanceId));
  }

  clusterPeers(staleMs: number): Promise<ClusterPeer[]> {
    return this.start(() => livePeers(this.db, this.now(), staleMs));
  }

  healthLease(provider: string, instanceId: string, intervalMs: number): Promise<boolean> {
    return this.start(() => takeHealthLease(this.db, provider, instanceId, this.now(), intervalMs));
  }

  storeHealth(
    provider: string,
    instanceId: string,
    result: { ok: boolean; error: string | null; latencyMs: number },
  ): Promise<void> {
    return this.start(() => storeHealth(this.db, provider, instanceId, result));
  }

  sharedHealth(provider: string): Promise<SharedHealth | null> {
    return this.start(() => readHealth(this.db, provider));
  }

  clusterChanges(keyIds: string[], nodeIds: string[]): Promise<ClusterChanges> {
    return this.start(() => readChanges(this.db, keyIds, nodeIds));
  }

  close(): Promise<void> {
    this.closed = true;
    return (this.closing ??= this.finish());
  }

  private async finish(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    try {
      await this.db.close();
    } finally {
      this.lock?.release();
    }
  }
}

/**
 * Opens (creating and migrating as needed) the gateway database at `location`: a data
 * folder (PGlite in `<folder>/pgdata`), null (PGlite in memory), or a `postgres://` /
 * `postgresql://` URL. Throws {@link DataDirLockedError} when another live process has the
 * folder open (a PostgreSQL database may be shared). Close the store before the process exits.
 */
export async function openStore(
  location: string | null,
  options: StoreOptions = {},
): Promise<GatewayStore> {
  const now = options.now ?? (() => new Date());
  if (location === null) {
    const db = await openPglite({ folder: null });
    await migrate(db);
    return new SqlStore(db, null, now);
  }
  if (isPostgresUrl(location)) return openPostgresStore(checkPostgresUrl(location), now);
  const folder = join(resolve(location), DATABASE_FOLDER);
  mkdirSync(resolve(location), { recursive: true, mode: 0o700 });
  const lock = acquireDirLock(`${folder}.lock`);
  let db: SqlDb | undefined;
  try {
    db = await openPglite({ folder, image: options.image });
    await migrate(db);
    return new SqlStore(db, lock, now);
  } catch (error) {
    await db?.close().catch(() => undefined);
    lock.release();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Could not open the gateway database in ${folder}: ${reason}`, {
      cause: error,
    });
  }
}

/** No folder lock: gateways sharing the server is the point, and migrations take turns. */
async function openPostgresStore(url: string, now: () => Date): Promise<GatewayStore> {
  let db: SqlDb | undefined;
  try {
    // node-postgres is loaded only for a PostgreSQL store.
    const { openPostgresDb } = await import('./postgresDb.js');
    db = await openPostgresDb(url);
    await migrate(db);
    return new SqlStore(db, null, now, true);
  } catch (error) {
    await db?.close().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    // The reason is the server's or pg's, which never quote the password; the URL is masked.
    throw new Error(
      `Could not open the gateway database at ${maskDatabaseUrl(url)}: ${reason.split(url).join(maskDatabaseUrl(url))}`,
    );
  }
}

export { DataDirLockedError } from './dirLock.js';
export { API_KEY_PREFIX, ENROLLMENT_CODE_PREFIX } from './apiKeys.js';
