/**
 * The node's local earnings ledger: every job it serves, from its own metering, pending until
 * the gateway's signed receipt settles it. Kept in `<dataDir>/ledger.jsonl`, an append-only
 * file that survives crashes (see appendLog.ts): a write is acknowledged only once it is on
 * disk, an acknowledged record is never lost, and none is ever stored twice.
 *
 * Amounts are integer nano-USD inside and USD in what `balances`, `summary` and `toCsv` give.
 * The whole file is read into memory at open; one process at a time may have it open.
 */
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../../common/log.js';
import type { EarningsBalances, EarningsSummary } from '../../../common/nodeApi.js';
import type { ModelPrice, Receipt, RewardSplit } from '../../../common/protocol.js';
import { AppendLog } from './appendLog.js';
import { balancesOf, summaryOf } from './earnings.js';
import { ledgerCsv } from './ledgerCsv.js';
import {
  encodeRecord,
  LEDGER_RECORD_VERSION,
  receiptRecordSchema,
  servedJobSchema,
  type JobRecord,
  type LedgerRecord,
  type ReceiptRecord,
} from './ledgerRecords.js';
import { LEGACY_RECEIPTS_FILE, readLegacyReceipts } from './legacyReceipts.js';
import { reconcile, type LedgerEntry } from './reconcile.js';

/** The ledger's file name in the data folder. */
export const LEDGER_FILE = 'ledger.jsonl';

/** One job as this node served and metered it. */
export interface ServedJob {
  jobId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
  /** USD per 1M tokens, what the node charged. */
  price: ModelPrice;
  /** The gateway's fee if known (from its welcome), else null (taken as 0). */
  feeBasisPoints: number | null;
  /** ISO time. */
  servedAt: string;
}

export interface LedgerOptions {
  /** The node's data folder; created (0700) when missing. */
  dataDir: string;
  logger?: Logger;
}

/** The earnings ledger; see the file comment. */
export class Ledger {
  /** The ledger file, `<dataDir>/ledger.jsonl`. */
  readonly path: string;
  private readonly jobs = new Map<string, JobRecord>();
  private readonly receipts = new Map<string, ReceiptRecord>();
  // Ids whose write is in flight: a second call for one of them must not write it again.
  private readonly writingJobs = new Set<string>();
  private readonly writingReceipts = new Set<string>();
  // Pending jobs the gateway said it has no receipt of (this run only: asked again next link).
  private readonly unknownAtGateway = new Set<string>();
  private entries: LedgerEntry[] | null = null;
  private closed = false;

  private constructor(
    private readonly log: AppendLog,
    /** Lines of the file that could not be read at open: kept as they are, never rewritten. */
    readonly unreadableLines: number,
    private readonly logger: Logger,
  ) {
    this.path = log.path;
  }

  /** Opens `<dataDir>/ledger.jsonl`, repairing a torn end, and imports `receipts.jsonl`. */
  static async open(options: LedgerOptions): Promise<Ledger> {
    const logger = options.logger ?? silentLogger;
    const { log, lines } = await AppendLog.open(join(options.dataDir, LEDGER_FILE), logger);
    const records: LedgerRecord[] = [];
    let unreadable = 0;
    for (const line of lines) {
      if (line.kind === 'record') records.push(line.record);
      else unreadable++;
    }
    const ledger = new Ledger(log, unreadable, logger);
    // First one wins: an older build may have stored a job or a receipt twice.
    const duplicates = records.filter((record) => !ledger.apply(record)).length;
    if (unreadable > 0) {
      logger.warn('ledger: kept unreadable lines as they are', { path: log.path, unreadable });
    }
    if (duplicates > 0) logger.info('ledger: ignored duplicate records', { duplicates });
    try {
      await ledger.importLegacyReceipts(options.dataDir);
    } catch (error) {
      await log.close();
      throw error;
    }
    return ledger;
  }

  /**
   * Records a served job. Resolves once the record is durable (fsynced): "acknowledged".
   * Resolves false, writing nothing, for a job id already recorded. Rejects for an invalid
   * job (a ZodError; `servedAt` must be an ISO time), after close, or when the write fails.
   */
  async recordJob(job: ServedJob): Promise<boolean> {
    this.assertOpen();
    const parsed = servedJobSchema.parse(job);
    if (this.jobs.has(parsed.jobId) || this.writingJobs.has(parsed.jobId)) return false;
    const record: JobRecord = { v: LEDGER_RECORD_VERSION, t: 'job', ...parsed };
    await this.write(record, this.writingJobs, parsed.jobId);
    return true;
  }

  /**
   * Stores a receipt whose signature the caller has already verified, with the provider's
   * reward split at the time. Resolves once durable; false (nothing written) for a duplicate
   * receipt (same job id). Rejects like {@link Ledger.recordJob}.
   */
  async addReceipt(receipt: Receipt, signature: string, split: RewardSplit): Promise<boolean> {
    this.assertOpen();
    // Checked against the very schema the file is read with, so what is written reads back.
    const record = receiptRecordSchema.parse({
      v: LEDGER_RECORD_VERSION,
      t: 'receipt',
      receipt,
      signature,
      split,
      receivedAt: new Date().toISOString(),
    });
    const { jobId } = record.receipt;
    if (this.receipts.has(jobId) || this.writingReceipts.has(jobId)) return false;
    await this.write(record, this.writingReceipts, jobId);
    return true;
  }

  /**
   * The ids of jobs still waiting for their receipt, oldest first, at most `limit`: what a
   * node asks the gateway for again after it relinks.
   */
  pendingJobIds(limit = Infinity): string[] {
    const ids: string[] = [];
    for (const jobId of this.jobs.keys()) {
      if (ids.length >= limit) break;
      if (!this.receipts.has(jobId) && !this.writingReceipts.has(jobId)) ids.push(jobId);
    }
    return ids;
  }

  /**
   * Marks pending jobs the gateway said it has no receipt of: each shows as a discrepancy
   * until a receipt comes. Kept in memory only: the node asks again on its next link.
   */
  markUnknownAtGateway(jobIds: readonly string[]): void {
    for (const jobId of jobIds) {
      if (!this.jobs.has(jobId) || this.receipts.has(jobId)) continue;
      this.unknownAtGateway.add(jobId);
      this.entries = null;
    }
  }

  /** Pending, settled and windowed totals in USD; windows are local days ending on `now`. */
  balances(now: Date = new Date()): EarningsBalances {
    return balancesOf(this.currentEntries(), now);
  }

  /** Everything the earnings screen shows, in USD. */
  summary(now: Date = new Date()): EarningsSummary {
    return summaryOf(this.currentEntries(), now);
  }

  /** One row per job (and per receipt without a job), oldest first; see ledgerCsv.ts. */
  toCsv(): string {
    return ledgerCsv(this.currentEntries());
  }

  /** Waits for pending writes, then closes; later writes reject. */
  async close(): Promise<void> {
    this.closed = true;
    await this.log.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`ledger ${this.path} is closed`);
  }

  private async write(record: LedgerRecord, writing: Set<string>, jobId: string): Promise<void> {
    writing.add(jobId);
    try {
      await this.log.append([encodeRecord(record)]);
      this.apply(record);
    } finally {
      writing.delete(jobId);
    }
  }

  /** Adds a durable record to memory; false when its job id is already there. */
  private apply(record: LedgerRecord): boolean {
    const map: Map<string, LedgerRecord> = record.t === 'job' ? this.jobs : this.receipts;
    const jobId = record.t === 'job' ? record.jobId : record.receipt.jobId;
    if (map.has(jobId)) return false;
    map.set(jobId, record);
    if (record.t === 'receipt') this.unknownAtGateway.delete(jobId);
    this.entries = null;
    return true;
  }

  private currentEntries(): LedgerEntry[] {
    this.entries ??= reconcile(this.jobs, this.receipts, this.unknownAtGateway);
    return this.entries;
  }

  /** Imports what the ledger lacks; dedupe makes every later open a no-op. */
  private async importLegacyReceipts(dataDir: string): Promise<void> {
    const { receipts, unreadableLines } = await readLegacyReceipts(dataDir);
    const fresh = new Map<string, ReceiptRecord>();
    for (const { receipt, signature, receivedAt } of receipts) {
      if (this.receipts.has(receipt.jobId) || fresh.has(receipt.jobId)) continue;
      const split = { rewards: 100, exchange: 0, mission: 0 };
      fresh.set(receipt.jobId, {
        v: LEDGER_RECORD_VERSION,
        t: 'receipt',
        receipt,
        signature,
        split,
        receivedAt,
      });
    }
    if (unreadableLines > 0) {
      this.logger.warn(`ledger: skipped unreadable lines of ${LEGACY_RECEIPTS_FILE}`, {
        unreadableLines,
      });
    }
    if (fresh.size === 0) return;
    await this.log.append([...fresh.values()].map(encodeRecord));
    for (const record of fresh.values()) this.apply(record);
    this.logger.info(`ledger: imported receipts from ${LEGACY_RECEIPTS_FILE}`, {
      receipts: fresh.size,
    });
  }
}
