/**
 * The gateway database schema as numbered migrations. Each runs once, in its own
 * transaction, and is recorded in `schema_migrations`; never edit one that has shipped,
 * add the next instead.
 */
import { POLICY_FUNCTIONS_SQL } from './policyFunctions.js';
import type { Sql, SqlDb } from './sql.js';

/** One step of the schema. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, in order; versions count up from 1 without gaps. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'accounts and usage',
    sql: `
      CREATE TABLE orgs (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        name text NOT NULL,
        secret_sha256 text NOT NULL UNIQUE,
        rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        created_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_org ON api_keys (org_id);
      CREATE TABLE nodes (
        id text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        name text NOT NULL,
        public_key text NOT NULL UNIQUE,
        enrolled_at timestamptz NOT NULL,
        revoked_at timestamptz
      );
      CREATE INDEX nodes_org ON nodes (org_id);
      CREATE TABLE enrollment_codes (
        code_sha256 text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        node_id text REFERENCES nodes (id)
      );
      CREATE TABLE usage_records (
        job_id text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        api_key_id text NOT NULL REFERENCES api_keys (id),
        node_id text REFERENCES nodes (id),
        route text NOT NULL,
        model text NOT NULL,
        prompt_tokens integer NOT NULL CHECK (prompt_tokens >= 0),
        completion_tokens integer NOT NULL CHECK (completion_tokens >= 0),
        price_prompt double precision NOT NULL,
        price_completion double precision NOT NULL,
        charged_nanos bigint NOT NULL CHECK (charged_nanos >= 0),
        fee_nanos bigint NOT NULL CHECK (fee_nanos >= 0),
        credited_nanos bigint NOT NULL CHECK (credited_nanos >= 0),
        created_at timestamptz NOT NULL,
        CHECK (charged_nanos = fee_nanos + credited_nanos)
      );
      CREATE INDEX usage_api_key ON usage_records (api_key_id);
      CREATE INDEX usage_node ON usage_records (node_id);
      CREATE INDEX usage_org_created ON usage_records (org_id, created_at DESC);
      CREATE INDEX usage_created ON usage_records (created_at DESC);
    `,
  },
  {
    version: 2,
    name: 'reward splits',
    // Usage recorded before splits existed went wholly to rewards, the default split.
    sql: `
      ALTER TABLE nodes
        ADD COLUMN split_rewards smallint NOT NULL DEFAULT 100,
        ADD COLUMN split_exchange smallint NOT NULL DEFAULT 0,
        ADD COLUMN split_mission smallint NOT NULL DEFAULT 0,
        ADD COLUMN mission_cause text,
        ADD CONSTRAINT nodes_split_adds_up CHECK (
          split_rewards >= 0 AND split_exchange >= 0 AND split_mission >= 0
          AND split_rewards + split_exchange + split_mission = 100
        );
      ALTER TABLE usage_records
        ADD COLUMN rewards_nanos bigint NOT NULL DEFAULT 0,
        ADD COLUMN exchange_nanos bigint NOT NULL DEFAULT 0,
        ADD COLUMN mission_nanos bigint NOT NULL DEFAULT 0,
        ADD COLUMN mission_cause text;
      UPDATE usage_records SET rewards_nanos = credited_nanos;
      ALTER TABLE usage_records
        ALTER COLUMN rewards_nanos DROP DEFAULT,
        ADD CONSTRAINT usage_shares_add_up CHECK (
          rewards_nanos >= 0 AND exchange_nanos >= 0 AND mission_nanos >= 0
          AND rewards_nanos + exchange_nanos + mission_nanos = credited_nanos
        );
      CREATE INDEX usage_route_created ON usage_records (route, created_at DESC);
    `,
  },
  {
    version: 3,
    name: 'providers, routing rules and request metrics',
    // Rows from before requests were tracked served one request per job. Reports filter on
    // (org_id, created_at), which usage_org_created (version 1) already indexes.
    sql: `
      ALTER TABLE usage_records
        ADD COLUMN request_id text,
        ADD COLUMN cost_nanos bigint NOT NULL DEFAULT 0 CHECK (cost_nanos >= 0),
        ADD COLUMN ttft_ms double precision CHECK (ttft_ms >= 0),
        ADD COLUMN latency_ms double precision CHECK (latency_ms >= 0),
        ADD COLUMN attempts smallint NOT NULL DEFAULT 1 CHECK (attempts >= 1),
        ADD COLUMN outcome text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'error')),
        ADD COLUMN routes text NOT NULL DEFAULT '';
      UPDATE usage_records SET request_id = job_id;
      ALTER TABLE usage_records ALTER COLUMN request_id SET NOT NULL;
      CREATE INDEX usage_request ON usage_records (request_id);
      CREATE TABLE providers (
        name text PRIMARY KEY,
        base_url text NOT NULL,
        api_keys jsonb NOT NULL CHECK (jsonb_typeof(api_keys) = 'array'),
        models jsonb NOT NULL CHECK (jsonb_typeof(models) = 'object'),
        price_prompt double precision NOT NULL CHECK (price_prompt >= 0),
        price_completion double precision NOT NULL CHECK (price_completion >= 0),
        cost_prompt double precision CHECK (cost_prompt >= 0),
        cost_completion double precision CHECK (cost_completion >= 0),
        max_concurrent integer NOT NULL DEFAULT 64 CHECK (max_concurrent > 0),
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL,
        CHECK ((cost_prompt IS NULL) = (cost_completion IS NULL))
      );
      CREATE TABLE routing_rules (
        org_id text NOT NULL,
        model text NOT NULL,
        strategy text NOT NULL
          CHECK (strategy IN ('cheapest', 'fastest', 'balanced', 'pinned')),
        routes jsonb CHECK (routes IS NULL OR jsonb_typeof(routes) = 'array'),
        weights jsonb CHECK (weights IS NULL OR jsonb_typeof(weights) = 'object'),
        max_price_prompt double precision CHECK (max_price_prompt >= 0),
        max_price_completion double precision CHECK (max_price_completion >= 0),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, model),
        CHECK ((max_price_prompt IS NULL) = (max_price_completion IS NULL))
      );
    `,
  },
  {
    version: 4,
    name: 'node faults and quarantine',
    sql: `
      ALTER TABLE nodes ADD COLUMN quarantined_at timestamptz;
      CREATE TABLE node_faults (
        node_id text NOT NULL REFERENCES nodes (id),
        kind text NOT NULL,
        count integer NOT NULL CHECK (count > 0),
        last_at timestamptz NOT NULL,
        last_detail text NOT NULL,
        PRIMARY KEY (node_id, kind)
      );
    `,
  },
  {
    version: 5,
    name: 'policy: limits, quotas, cache, audit; cluster links',
    // A scope is an organization ('org:ID') or one of its keys ('key:ID'). Counters are
    // changed only by single conditional statements, so that every instance on one
    // database agrees without a lock of its own.
    sql: `
      CREATE TABLE rate_limits (
        scope text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        rpm integer CHECK (rpm > 0),
        tpm integer CHECK (tpm > 0),
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE rate_windows (
        scope text NOT NULL,
        window_start timestamptz NOT NULL,
        requests integer NOT NULL CHECK (requests >= 0),
        tokens bigint NOT NULL CHECK (tokens >= 0),
        PRIMARY KEY (scope, window_start)
      );
      CREATE TABLE quotas (
        scope text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs (id),
        monthly_nanos bigint CHECK (monthly_nanos >= 0),
        monthly_tokens bigint CHECK (monthly_tokens >= 0),
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE quota_months (
        scope text NOT NULL,
        month text NOT NULL,
        spent_nanos bigint NOT NULL DEFAULT 0 CHECK (spent_nanos >= 0),
        spent_tokens bigint NOT NULL DEFAULT 0 CHECK (spent_tokens >= 0),
        reserved_nanos bigint NOT NULL DEFAULT 0 CHECK (reserved_nanos >= 0),
        reserved_tokens bigint NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
        warned_percent integer NOT NULL DEFAULT 0,
        PRIMARY KEY (scope, month)
      );
      CREATE TABLE cache_policies (
        org_id text PRIMARY KEY REFERENCES orgs (id),
        enabled boolean NOT NULL,
        ttl_seconds integer NOT NULL CHECK (ttl_seconds > 0),
        charge text NOT NULL CHECK (charge IN ('full', 'none')),
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE response_cache (
        org_id text NOT NULL REFERENCES orgs (id),
        key_sha256 text NOT NULL,
        body jsonb NOT NULL,
        bytes integer NOT NULL CHECK (bytes > 0),
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        last_hit_at timestamptz NOT NULL,
        PRIMARY KEY (org_id, key_sha256)
      );
      CREATE INDEX response_cache_lru ON response_cache (last_hit_at);
      CREATE TABLE audit_log (
        seq bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        actor text NOT NULL,
        action text NOT NULL,
        target text NOT NULL,
        before jsonb,
        after jsonb
      );
      ${POLICY_FUNCTIONS_SQL}
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'The audit log is append-only'; END $$;
      CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      INSERT INTO rate_limits (scope, org_id, rpm, tpm, updated_at)
        SELECT 'key:' || id, org_id, rate_limit_per_minute, NULL, created_at FROM api_keys
        WHERE rate_limit_per_minute IS NOT NULL;
      CREATE TABLE cluster_instances (
        id text PRIMARY KEY,
        relay_url text NOT NULL,
        heartbeat_at timestamptz NOT NULL
      );
      CREATE TABLE cluster_links (
        node_id text NOT NULL,
        instance_id text NOT NULL REFERENCES cluster_instances (id) ON DELETE CASCADE,
        models jsonb NOT NULL,
        PRIMARY KEY (node_id, instance_id)
      );
    `,
  },
  {
    version: 6,
    name: 'cluster: shared secrets, link owners, shared upstream health',
    // Several instances on one database share the signing key, the admin token and the relay
    // secret (the first start stores them); one instance per interval checks each provider.
    sql: `
      CREATE TABLE cluster_secrets (
        name text PRIMARY KEY,
        value text NOT NULL
      );
      ALTER TABLE cluster_links ADD COLUMN owner_org_id text NOT NULL DEFAULT '';
      CREATE TABLE upstream_health (
        provider text PRIMARY KEY,
        checked_at timestamptz NOT NULL,
        checked_by text NOT NULL,
        ok boolean,
        error text,
        latency_ms double precision
      );
    `,
  },
  {
    version: 7,
    name: 'org admin keys',
    // Keys an operator hands an organization's admins: the console and admin API, scoped to
    // that organization. Only the secret's hash is kept.
    sql: `
      CREATE TABLE org_admin_keys (
        id text PRIMARY KEY,
        org_id text NOT NULL REFERENCES orgs(id),
        name text NOT NULL,
        secret_sha256 text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz
      );
      CREATE INDEX org_admin_keys_org ON org_admin_keys (org_id);
    `,
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The key of the advisory lock that migrations hold: gateways starting at once on one
 * PostgreSQL database take turns, and each sees what the one before it applied.
 */
export const MIGRATION_LOCK_KEY = 0x6279_6f69; // 'byoi'

/** Takes the migration lock until the transaction ends; the current version. */
async function lockedVersion(tx: Sql): Promise<number> {
  await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
  // Under the lock: CREATE TABLE IF NOT EXISTS is not safe against itself run side by side.
  await tx.exec(`
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )
  `);
  const result = await tx.query<{ version: number | null }>(
    'SELECT max(version) AS version FROM schema_migrations',
  );
  return result.rows[0]?.version ?? 0;
}

/**
 * Brings the database up to {@link SCHEMA_VERSION}. Refuses a database written by a newer
 * gateway rather than guessing, so nothing stored is touched. Each migration runs in its
 * own transaction under an advisory lock (PGlite has them too), after checking again that
 * no other gateway applied it meanwhile.
 */
export async function migrate(
  db: SqlDb,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const current = await db.transaction(lockedVersion);
  const latest = migrations.length;
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`Migration ${index + 1} is numbered ${migration.version}`);
  });
  if (current > latest) {
    throw new Error(
      `The gateway database has schema version ${current}, newer than this gateway knows ` +
        `(${latest}). Upgrade the gateway; the database was left untouched.`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    await db.transaction(async (tx) => {
      if ((await lockedVersion(tx)) >= migration.version) return;
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
  }
  return latest;
}
