/**
 * The default {@link GatewayStore}: embedded PostgreSQL (PGlite) in `<dataDir>/pgdata`, so
 * a restart loses nothing, or in memory for tests. Secrets (API keys, enrollment codes)
 * are stored only as SHA-256 hashes; money is integer nano-USD in BIGINT columns.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { acquireDirLock, type DirLock } from './dirLock.js';
import { enrollWithCode } from './enrollment.js';
import { migrate } from './migrations.js';
import { queryRecentPrices, sumBalances } from './ledgerSums.js';
import { readNodeRewards, writeNodeRewards } from './nodeRewards.js';
import { findUsage, insertUsage, queryUsage } from './usageLedger.js';
import {
  checkInteger,
  checkLabel,
  checkPublicKey,
  KEY_COLUMNS,
  NODE_COLUMNS,
  toApiKey,
  toNode,
  toOrg,
  type ApiKeyRow,
  type NodeRow,
  type OrgRow,
} from './storeRows.js';
import type { MarketModel } from '../../common/protocol.js';
import {
  EnrollmentError,
  STORE_LIMITS as LIMITS,
  UnknownOrgError,
  type ApiKeyInfo,
  type Balances,
  type GatewayStore,
  type NewUsageRecord,
  type NodeRecord,
  type NodeRewards,
  type Org,
  type UsageRecord,
} from './types.js';

/** The database folder inside the gateway's data folder. */
export const DATABASE_FOLDER = 'pgdata';
/** API key secrets are this prefix and 32 random bytes in base64url. */
export const API_KEY_PREFIX = 'byoi-sk-';
/** Enrollment codes are this prefix and 18 random bytes in base64url. */
export const ENROLLMENT_CODE_PREFIX = 'byoi-enroll-';

/** Options of {@link openStore}. */
export interface StoreOptions {
  /** The clock for every timestamp the store writes (tests move it to expire codes). */
  now?: () => Date;
}

const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');
const randomId = (prefix: string): string => prefix + randomBytes(12).toString('base64url');

class PgliteStore implements GatewayStore {
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly db: PGlite,
    private readonly lock: DirLock | null,
    private readonly now: () => Date,
  ) {}

  /** Runs one operation, refusing new ones once `close` has begun. */
  private run<T>(operation: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The gateway store is closed'));
    const promise = operation();
    this.pending.add(promise);
    const forget = (): void => void this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
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
    return this.run(async () => {
      const label = checkLabel('API key name', name, true);
      if (rateLimitPerMinute !== null)
        checkInteger('rateLimitPerMinute', rateLimitPerMinute, 1, LIMITS.maxRateLimitPerMinute);
      const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
      // INSERT … SELECT writes nothing for an unknown org, with no race against a check.
      const { rows } = await this.db.query<ApiKeyRow>(
        `INSERT INTO api_keys (id, org_id, name, secret_sha256, rate_limit_per_minute, created_at)
         SELECT $1, id, $3, $4, $5, $6 FROM orgs WHERE id = $2 RETURNING ${KEY_COLUMNS}`,
        [randomId('key_'), orgId, label, sha256(key), rateLimitPerMinute, this.now()],
      );
      if (!rows[0]) throw new UnknownOrgError(orgId);
      return { key, info: toApiKey(rows[0]) };
    });
  }

  authenticateApiKey(secret: string): Promise<ApiKeyInfo | null> {
    return this.run(async () => {
      if (typeof secret !== 'string' || !secret.startsWith(API_KEY_PREFIX) || secret.length > 256) {
        return null;
      }
      const { rows } = await this.db.query<ApiKeyRow>(
        `SELECT ${KEY_COLUMNS} FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL`,
        [sha256(secret)],
      );
      return rows[0] ? toApiKey(rows[0]) : null;
    });
  }

  revokeApiKey(id: string): Promise<boolean> {
    return this.run(() => this.revoke('api_keys', id));
  }

  listApiKeys(orgId?: string): Promise<ApiKeyInfo[]> {
    return this.run(async () => {
      const { rows } = await this.db.query<ApiKeyRow>(
        `SELECT ${KEY_COLUMNS} FROM api_keys WHERE $1::text IS NULL OR org_id = $1
         ORDER BY created_at, id`,
        [orgId ?? null],
      );
      return rows.map(toApiKey);
    });
  }

  createEnrollmentCode(
    orgId: string,
    ttlSeconds = LIMITS.defaultEnrollmentTtlSeconds,
  ): Promise<{ code: string; expiresAt: string }> {
    return this.run(async () => {
      checkInteger('ttlSeconds', ttlSeconds, 1, LIMITS.maxEnrollmentTtlSeconds);
      const code = ENROLLMENT_CODE_PREFIX + randomBytes(18).toString('base64url');
      const now = this.now();
      const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
      const { rows } = await this.db.query(
        `INSERT INTO enrollment_codes (code_sha256, org_id, created_at, expires_at)
         SELECT $1, id, $3, $4 FROM orgs WHERE id = $2 RETURNING code_sha256`,
        [sha256(code), orgId, now, expiresAt],
      );
      if (!rows[0]) throw new UnknownOrgError(orgId);
      return { code, expiresAt: expiresAt.toISOString() };
    });
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

  recordUsage(record: NewUsageRecord): Promise<boolean> {
    return this.run(() => insertUsage(this.db, record));
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
