/** Text output of the admin CLI: aligned tables and dollar amounts. */
import type { ApiKeyInfo, Balances, NodeRecord, Org, UsageRecord } from '../store/types.js';

/** Nano-USD as dollars with all nine decimals, exactly (no floating point). */
export function formatUsd(nanos: number): string {
  const sign = nanos < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(nanos))).padStart(10, '0');
  return `${sign}$${digits.slice(0, -9)}.${digits.slice(-9)}`;
}

/** Rows padded into columns (two spaces apart); the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  return all.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
}

const status = (revokedAt: string | null): string =>
  revokedAt ? `revoked ${revokedAt}` : 'active';

export const orgTable = (orgs: Org[]): string[] =>
  table(
    ['ID', 'NAME', 'CREATED'],
    orgs.map((org) => [org.id, org.name, org.createdAt]),
  );

export const keyTable = (keys: ApiKeyInfo[]): string[] =>
  table(
    ['ID', 'ORG', 'NAME', 'RATE/MIN', 'CREATED', 'STATUS'],
    keys.map((key) => [
      key.id,
      key.orgId,
      key.name || '-',
      key.rateLimitPerMinute === null ? 'default' : String(key.rateLimitPerMinute),
      key.createdAt,
      status(key.revokedAt),
    ]),
  );

/** `stall×2, offer_timeout×1`, or `-` for none. */
const faultList = (node: NodeRecord): string =>
  node.faults.map((fault) => `${fault.kind}×${fault.count}`).join(', ') || '-';

export const nodeTable = (nodes: NodeRecord[]): string[] =>
  table(
    ['ID', 'ORG', 'NAME', 'PUBLIC KEY', 'ENROLLED', 'STATUS', 'FAULTS'],
    nodes.map((node) => [
      node.id,
      node.orgId,
      node.name || '-',
      node.publicKey,
      node.enrolledAt,
      node.quarantinedAt && !node.revokedAt
        ? `quarantined ${node.quarantinedAt}`
        : status(node.revokedAt),
      faultList(node),
    ]),
  );

export const usageTable = (records: UsageRecord[]): string[] =>
  table(
    ['TIME', 'JOB', 'ORG', 'KEY', 'NODE', 'MODEL', 'TOKENS', 'CHARGED', 'FEE', 'CREDITED'],
    records.map((r) => [
      r.createdAt,
      r.jobId,
      r.orgId,
      r.apiKeyId,
      r.nodeId ?? r.route,
      r.model,
      `${r.promptTokens}+${r.completionTokens}`,
      formatUsd(r.chargedNanos),
      formatUsd(r.feeNanos),
      formatUsd(r.creditedNanos),
    ]),
  );

/**
 * An organization's balances: what it spent, what its nodes earned, and how the earnings
 * were shared (rewards, exchange credit, mission by cause), in aligned dollar columns.
 */
export function balanceLines(org: Org, balances: Balances): string[] {
  const causes = Object.entries(balances.missionByCause);
  const rows = [
    ['spent', formatUsd(balances.spentNanos)],
    ['earned', formatUsd(balances.earnedNanos)],
    ['  rewards', formatUsd(balances.rewardsNanos)],
    ['  exchange', formatUsd(balances.exchangeNanos)],
    ['  mission', formatUsd(balances.missionNanos)],
    ...causes.map(([cause, nanos]) => [`    ${cause}`, formatUsd(nanos)]),
  ];
  // table() pads every column but the last; its header row is left out here.
  return [`${org.id} (${org.name})`, ...table(['', ''], rows).slice(1)];
}
