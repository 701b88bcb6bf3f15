/** Enrollment inside one transaction: the code is checked, consumed and bound to the new node. */
import type { Sql } from './sql.js';
import { NODE_COLUMNS, toNode, type NodeRow } from './storeRows.js';
import { EnrollmentError, type NodeRecord } from './types.js';

/** What the new node row gets. */
export interface NewNode {
  id: string;
  publicKey: string;
  name: string;
  now: Date;
}

/**
 * Consumes the code with this hash and records the node, or throws {@link EnrollmentError}
 * (then the caller's transaction rolls back and the code stays usable, unless it was used).
 * The row lock (FOR UPDATE: a second enrollment with the code waits, then sees it used) and
 * the conditional UPDATE make a code good for exactly one node on PostgreSQL too, where
 * transactions run side by side.
 */
export async function enrollWithCode(
  tx: Sql,
  codeHash: string,
  node: NewNode,
): Promise<NodeRecord> {
  const codes = await tx.query<{ org_id: string; expires_at: Date; used_at: Date | null }>(
    'SELECT org_id, expires_at, used_at FROM enrollment_codes WHERE code_sha256 = $1 FOR UPDATE',
    [codeHash],
  );
  const found = codes.rows[0];
  if (!found) throw new EnrollmentError('unknown');
  if (found.used_at) throw new EnrollmentError('used');
  if (found.expires_at.getTime() <= node.now.getTime()) throw new EnrollmentError('expired');
  // ON CONFLICT rather than a check first: two codes enrolling one key at once on PostgreSQL
  // must give one node and one 'key_in_use', never a unique-violation error.
  const { rows } = await tx.query<NodeRow>(
    `INSERT INTO nodes (id, org_id, name, public_key, enrolled_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (public_key) DO NOTHING RETURNING ${NODE_COLUMNS}`,
    [node.id, found.org_id, node.name, node.publicKey, node.now],
  );
  if (!rows[0]) throw new EnrollmentError('key_in_use');
  const consumed = await tx.query(
    `UPDATE enrollment_codes SET used_at = $2, node_id = $3
     WHERE code_sha256 = $1 AND used_at IS NULL RETURNING code_sha256`,
    [codeHash, node.now, node.id],
  );
  if (consumed.rows.length !== 1) throw new EnrollmentError('used');
  return toNode(rows[0]!);
}
