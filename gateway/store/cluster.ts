/**
 * What several gateway instances on one PostgreSQL share to act as one: secrets (the
 * receipt signing key, the admin token, the relay secret), the instances alive now with
 * the node links each holds, and a lease per upstream provider so that one instance of
 * the cluster checks its health per interval. Every write is one conditional statement.
 */
import type { Sql, SqlDb } from './sql.js';

/** One model a linked node serves, as another instance may relay to it. */
export interface ClusterModel {
  id: string;
  /** What the organization is charged, USD per 1M tokens (the node's price). */
  price: { prompt: number; completion: number };
  capabilities: string[];
  /** The SHA-256 of the node's model file, when it announced one (the cache keys by it). */
  sha256?: string;
}

/** A node an instance holds a link to now. */
export interface ClusterLink {
  nodeId: string;
  /** The organization that enrolled the node (`own-nodes` rules). */
  ownerOrgId: string;
  models: ClusterModel[];
}

/** A live instance and its links. */
export interface ClusterPeer {
  id: string;
  relayUrl: string;
  heartbeatAt: string;
  links: ClusterLink[];
}

/** A provider's last shared health check. */
export interface SharedHealth {
  ok: boolean;
  error: string | null;
  latencyMs: number;
  checkedAt: string;
  checkedBy: string;
}

const ago = (now: Date, ms: number): string => new Date(now.getTime() - ms).toISOString();

/** The stored value of `name`, `candidate` stored first if none was (the first start wins). */
export async function ensureSecret(db: Sql, name: string, candidate: string): Promise<string> {
  await db.query(
    'INSERT INTO cluster_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
    [name, candidate],
  );
  const { rows } = await db.query<{ value: string }>(
    'SELECT value FROM cluster_secrets WHERE name = $1',
    [name],
  );
  if (!rows[0]) throw new Error(`The cluster secret '${name}' could not be stored`);
  return rows[0].value;
}

/**
 * Records that `id` is alive at `relayUrl` now, and sweeps instances stale for `staleMs`.
 * True when `id` was not registered (its first beat, or it was swept with its links while
 * it stalled): its links must be recorded again.
 */
export async function beat(
  db: Sql,
  id: string,
  relayUrl: string,
  now: Date,
  staleMs: number,
): Promise<boolean> {
  const { rows } = await db.query<{ inserted: boolean }>(
    `INSERT INTO cluster_instances (id, relay_url, heartbeat_at) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET relay_url = $2, heartbeat_at = $3
     RETURNING (xmax = 0) AS inserted`,
    [id, relayUrl, now.toISOString()],
  );
  await db.query('DELETE FROM cluster_instances WHERE heartbeat_at < $1', [ago(now, staleMs)]);
  return rows[0]?.inserted ?? true;
}

/** Replaces the links `id` holds (an instance that is not registered yet records none). */
export async function replaceLinks(db: SqlDb, id: string, links: ClusterLink[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM cluster_links WHERE instance_id = $1', [id]);
    if (links.length === 0) return;
    await tx.query(
      `INSERT INTO cluster_links (node_id, instance_id, owner_org_id, models)
       SELECT l.node_id, $1, l.owner_org_id, l.models
       FROM jsonb_to_recordset($2::jsonb) AS l(node_id text, owner_org_id text, models jsonb)
       WHERE EXISTS (SELECT 1 FROM cluster_instances WHERE id = $1)`,
      [
        id,
        JSON.stringify(
          links.map((link) => ({
            node_id: link.nodeId,
            owner_org_id: link.ownerOrgId,
            models: link.models,
          })),
        ),
      ],
    );
  });
}

/** Forgets `id` and its links (a clean stop). */
export async function leave(db: Sql, id: string): Promise<void> {
  await db.query('DELETE FROM cluster_instances WHERE id = $1', [id]);
}

/** The instances that beat within `staleMs`, with their links, by id. */
export async function livePeers(db: Sql, now: Date, staleMs: number): Promise<ClusterPeer[]> {
  const { rows } = await db.query<{
    id: string;
    relay_url: string;
    heartbeat_at: Date | string;
    node_id: string | null;
    owner_org_id: string | null;
    models: ClusterModel[] | null;
  }>(
    `SELECT i.id, i.relay_url, i.heartbeat_at, l.node_id, l.owner_org_id, l.models
     FROM cluster_instances i LEFT JOIN cluster_links l ON l.instance_id = i.id
     WHERE i.heartbeat_at >= $1 ORDER BY i.id, l.node_id`,
    [ago(now, staleMs)],
  );
  const peers = new Map<string, ClusterPeer>();
  for (const row of rows) {
    let peer = peers.get(row.id);
    if (!peer) {
      peer = {
        id: row.id,
        relayUrl: row.relay_url,
        heartbeatAt: new Date(row.heartbeat_at).toISOString(),
        links: [],
      };
      peers.set(row.id, peer);
    }
    if (row.node_id !== null) {
      peer.links.push({
        nodeId: row.node_id,
        ownerOrgId: row.owner_org_id ?? '',
        models: row.models ?? [],
      });
    }
  }
  return [...peers.values()];
}

/**
 * Takes the health-check lease of `provider` for `intervalMs`: true for the one instance
 * that should check it now.
 */
export async function takeHealthLease(
  db: Sql,
  provider: string,
  instanceId: string,
  now: Date,
  intervalMs: number,
): Promise<boolean> {
  const { rows } = await db.query<{ provider: string }>(
    `INSERT INTO upstream_health (provider, checked_at, checked_by) VALUES ($1, $2, $3)
     ON CONFLICT (provider) DO UPDATE SET checked_at = $2, checked_by = $3
       WHERE upstream_health.checked_at < $4
     RETURNING provider`,
    [provider, now.toISOString(), instanceId, ago(now, intervalMs)],
  );
  return rows.length > 0;
}

/** Stores the result of the check the lease holder ran. */
export async function storeHealth(
  db: Sql,
  provider: string,
  instanceId: string,
  result: { ok: boolean; error: string | null; latencyMs: number },
): Promise<void> {
  await db.query(
    `UPDATE upstream_health SET ok = $3, error = $4, latency_ms = $5
     WHERE provider = $1 AND checked_by = $2`,
    [provider, instanceId, result.ok, result.error, result.latencyMs],
  );
}

/** The last shared check of `provider`, or null when none has finished. */
export async function readHealth(db: Sql, provider: string): Promise<SharedHealth | null> {
  const { rows } = await db.query<{
    ok: boolean | null;
    error: string | null;
    latency_ms: number | null;
    checked_at: Date | string;
    checked_by: string;
  }>(
    'SELECT ok, error, latency_ms, checked_at, checked_by FROM upstream_health WHERE provider = $1',
    [provider],
  );
  const row = rows[0];
  if (!row || row.ok === null) return null;
  return {
    ok: row.ok,
    error: row.error,
    latencyMs: row.latency_ms ?? 0,
    checkedAt: new Date(row.checked_at).toISOString(),
    checkedBy: row.checked_by,
  };
}

/** What other instances changed that this one must act on now. */
export interface ClusterChanges {
  /** Every quarantined node (a quarantine made, or cleared, anywhere). */
  quarantined: string[];
  /** Those of the asked keys that are revoked: their open requests end. */
  revokedKeys: string[];
  /** Those of the asked nodes that are revoked: their links close. */
  revokedNodes: string[];
}

/** See {@link ClusterChanges}; `keyIds` and `nodeIds` are what this instance has open. */
export async function readChanges(
  db: Sql,
  keyIds: string[],
  nodeIds: string[],
): Promise<ClusterChanges> {
  const { rows } = await db.query<{ kind: string; id: string }>(
    `SELECT 'q' AS kind, id FROM nodes WHERE quarantined_at IS NOT NULL
     UNION ALL
     SELECT 'n', id FROM nodes WHERE revoked_at IS NOT NULL
       AND id IN (SELECT jsonb_array_elements_text($2::jsonb))
     UNION ALL
     SELECT 'k', id FROM api_keys WHERE revoked_at IS NOT NULL
       AND id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(keyIds), JSON.stringify(nodeIds)],
  );
  const of = (kind: string) => rows.filter((row) => row.kind === kind).map((row) => row.id);
  return { quarantined: of('q'), revokedKeys: of('k'), revokedNodes: of('n') };
}

/** The store's methods for a cluster of instances (see the functions above). */
export interface ClusterStore {
  /** The stored secret `name`; `candidate` is stored first when there is none. */
  clusterSecret(name: string, candidate: string): Promise<string>;
  /**
   * Records `instanceId` alive at `relayUrl`; sweeps instances silent for `staleMs`. True
   * when it was not registered (its links must be recorded again).
   */
  clusterBeat(instanceId: string, relayUrl: string, staleMs: number): Promise<boolean>;
  /** Replaces the node links `instanceId` holds. */
  clusterSetLinks(instanceId: string, links: ClusterLink[]): Promise<void>;
  /** Forgets `instanceId` and its links. */
  clusterLeave(instanceId: string): Promise<void>;
  /** The instances that beat within `staleMs`, with their links. */
  clusterPeers(staleMs: number): Promise<ClusterPeer[]>;
  /** Whether `instanceId` is the one to check `provider` now (one check per `intervalMs`). */
  healthLease(provider: string, instanceId: string, intervalMs: number): Promise<boolean>;
  /** Stores the result of a leased check. */
  storeHealth(
    provider: string,
    instanceId: string,
    result: { ok: boolean; error: string | null; latencyMs: number },
  ): Promise<void>;
  /** The last shared check of `provider`. */
  sharedHealth(provider: string): Promise<SharedHealth | null>;
  /** Quarantines, and revocations of the keys and nodes named, wherever they were made. */
  clusterChanges(keyIds: string[], nodeIds: string[]): Promise<ClusterChanges>;
}
