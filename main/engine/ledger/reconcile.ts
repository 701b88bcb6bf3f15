/**
 * Matching the node's own metering with the gateway's receipts: one entry per job id, whichever
 * of the two arrived first, so the result never depends on arrival order.
 */
import { priceJob, type ModelPrice } from '../../../common/protocol.js';
import type { JobRecord, ReceiptRecord } from './ledgerRecords.js';

/** The detail of a receipt for a job this node has no record of. */
export const NO_LOCAL_RECORD = 'no local record of this job';
/** The detail of a job served here that the gateway said it has no receipt of. */
export const NO_GATEWAY_RECORD = 'the gateway has no receipt of this job';

/** One job as the ledger reports it. */
export interface LedgerEntry {
  jobId: string;
  model: string;
  /** When it counts: the job's servedAt, or the receipt's issuedAt without a local record. */
  at: string;
  /** `at` in epoch milliseconds; NaN when `at` is not a time (then only lifetime counts it). */
  time: number;
  promptTokens: number;
  completionTokens: number;
  price: ModelPrice;
  /** From local metering; null without a local record. */
  expectedNanos: number | null;
  /** From the receipt; null while pending. */
  settledNanos: number | null;
  /** What counts: settled when receipted, else expected. */
  amountNanos: number;
  /**
   * How the receipt disagrees with local metering, or {@link NO_GATEWAY_RECORD} for a pending
   * job the gateway said it does not know; null when it agrees or is simply not here yet.
   */
  discrepancy: string | null;
  receipt: ReceiptRecord | null;
}

/** The credit the node expects for a job: its price, less the fee it knew of. */
export function expectedNanos(job: JobRecord): number {
  return priceJob(job.price, job.promptTokens, job.completionTokens, job.feeBasisPoints ?? 0)
    .creditedNanos;
}

/** "completion tokens: receipt 90, metered 100"; several differences joined by "; ". */
export function describeDiscrepancy(job: JobRecord, stored: ReceiptRecord): string | null {
  const { receipt } = stored;
  const differences: string[] = [];
  const compare = (what: string, fromReceipt: string | number, metered: string | number) => {
    if (fromReceipt !== metered)
      differences.push(`${what}: receipt ${fromReceipt}, metered ${metered}`);
  };
  compare('model', receipt.model, job.model);
  compare('prompt tokens', receipt.promptTokens, job.promptTokens);
  compare('completion tokens', receipt.completionTokens, job.completionTokens);
  compare('prompt price', receipt.price.prompt, job.price.prompt);
  compare('completion price', receipt.price.completion, job.price.completion);
  // The charge before any fee: the fee is the gateway's to set, the charge is not.
  const charged = priceJob(job.price, job.promptTokens, job.completionTokens, 0).chargedNanos;
  compare('charged nano-USD', receipt.chargedNanos, charged);
  return differences.length > 0 ? differences.join('; ') : null;
}

/**
 * Every job and receipt as one entry per job id, in no particular order. `unknownAtGateway`:
 * the pending jobs the gateway said it has no receipt of.
 */
export function reconcile(
  jobs: ReadonlyMap<string, JobRecord>,
  receipts: ReadonlyMap<string, ReceiptRecord>,
  unknownAtGateway: ReadonlySet<string> = new Set(),
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const job of jobs.values()) {
    const stored = receipts.get(job.jobId) ?? null;
    const expected = expectedNanos(job);
    const settled = stored ? stored.receipt.creditedNanos : null;
    entries.push({
      jobId: job.jobId,
      model: job.model,
      at: job.servedAt,
      time: Date.parse(job.servedAt),
      promptTokens: job.promptTokens,
      completionTokens: job.completionTokens,
      price: job.price,
      expectedNanos: expected,
      settledNanos: settled,
      amountNanos: settled ?? expected,
      discrepancy: stored
        ? describeDiscrepancy(job, stored)
        : unknownAtGateway.has(job.jobId)
          ? NO_GATEWAY_RECORD
          : null,
      receipt: stored,
    });
  }
  for (const stored of receipts.values()) {
    const { receipt } = stored;
    if (jobs.has(receipt.jobId)) continue;
    entries.push({
      jobId: receipt.jobId,
      model: receipt.model,
      at: receipt.issuedAt,
      time: Date.parse(receipt.issuedAt),
      promptTokens: receipt.promptTokens,
      completionTokens: receipt.completionTokens,
      price: receipt.price,
      expectedNanos: null,
      settledNanos: receipt.creditedNanos,
      amountNanos: receipt.creditedNanos,
      discrepancy: NO_LOCAL_RECORD,
      receipt: stored,
    });
  }
  return entries;
}
