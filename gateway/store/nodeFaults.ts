/**
 * Node faults and quarantine: one row per node and kind of fault, counted since an operator
 * last cleared them. A node whose faults reach the gateway's threshold is quarantined: it
 * stays linked but gets no offers until it is cleared.
 */
import type { SqlDb } from './sql.js';
import {
  NODE_FAULT_KINDS,
  STORE_LIMITS,
  type NodeFaultKind,
  type NodeFaultOutcome,
} from './types.js';

/** Counts the fault, and quarantines the node at the threshold; null for an unknown node. */
export async function recordFault(
  db: SqlDb,
  nodeId: string,
  kind: NodeFaultKind,
  detail: string,
  quarantineAfter: number,
  now: Date,
): Promise<NodeFaultOutcome | null> {
  if (!NODE_FAULT_KINDS.includes(kind)) throw new RangeError(`Unknown fault kind '${kind}'`);
  if (!Number.isInteger(quarantineAfter) || quarantineAfter < 0) {
    throw new RangeError('quarantineAfter must be a whole number, 0 for never');
  }
  return db.transaction(async (tx) => {
    const node = await tx.query<{ quarantined_at: Date | null }>(
      'SELECT quarantined_at FROM nodes WHERE id = $1 FOR UPDATE',
      [nodeId],
    );
    if (!node.rows[0]) return null;
    await tx.query(
      `INSERT INTO node_faults (node_id, kind, count, last_at, last_detail)
       VALUES ($1, $2, 1, $3, $4)
       ON CONFLICT (node_id, kind) DO UPDATE
         SET count = node_faults.count + 1, last_at = $3, last_detail = $4`,
      [nodeId, kind, now, detail.slice(0, STORE_LIMITS.faultDetailLength)],
    );
    const sum = await tx.query<{ total: number }>(
      'SELECT sum(count)::integer AS total FROM node_faults WHERE node_id = $1',
      [nodeId],
    );
    const total = sum.rows[0]?.total ?? 0;
    const wasQuarantined = node.rows[0].quarantined_at !== null;
    const newlyQuarantined = !wasQuarantined && quarantineAfter > 0 && total >= quarantineAfter;
    if (newlyQuarantined) {
      await tx.query('UPDATE nodes SET quarantined_at = $2 WHERE id = $1', [nodeId, now]);
    }
    return { total, quarantined: wasQuarantined || newlyQuarantined, newlyQuarantined };
  });
}

/** Forgets the node's faults and lifts its quarantine; false for an unknown node. */
export async function clearFaults(db: SqlDb, nodeId: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query(
      'UPDATE nodes SET quarantined_at = NULL WHERE id = $1 RETURNING id',
      [nodeId],
    );
    if (rows.length === 0) return false;
    await tx.query('DELETE FROM node_faults WHERE node_id = $1', [nodeId]);
    return true;
  });
}
