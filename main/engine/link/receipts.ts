/**
 * Signed receipts from the gateway, verified and kept in `<dataDir>/receipts.jsonl`: one JSON
 * line per job, appended and never rewritten. A later issue replaces this with the ledger.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { receiptSigningBytes, type Receipt } from '../../../common/protocol.js';
import { verifyEd25519 } from './identity.js';

export const RECEIPTS_FILE = 'receipts.jsonl';

/** One line of `receipts.jsonl`. */
export interface StoredReceipt {
  receipt: Receipt;
  /** The gateway's base64 Ed25519 signature over {@link receiptSigningBytes}. */
  signature: string;
  receivedAt: string;
}

/** Whether `signature` is the gateway's signature of `receipt`. */
export function verifyReceipt(
  receipt: Receipt,
  signature: string,
  gatewayPublicKey: string,
): boolean {
  return verifyEd25519(gatewayPublicKey, receiptSigningBytes(receipt), signature);
}

/** The append-only receipts file. Appends are serialized; a job id is stored once. */
export class ReceiptStore {
  private jobIds: Promise<Set<string>> | undefined;
  private endsWithNewline = true;
  private queue: Promise<unknown> = Promise.resolve();
  /** Lines of the file that could not be read (kept as they are, never rewritten). */
  unreadableLines = 0;

  constructor(readonly path: string) {}

  /** The store in `<dataDir>/receipts.jsonl`. */
  static inDataDir(dataDir: string): ReceiptStore {
    return new ReceiptStore(join(dataDir, RECEIPTS_FILE));
  }

  private load(): Promise<Set<string>> {
    this.jobIds ??= readFile(this.path, 'utf8').then(
      (text) => {
        const ids = new Set<string>();
        this.endsWithNewline = text.length === 0 || text.endsWith('\n');
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          try {
            const jobId = (JSON.parse(line) as StoredReceipt).receipt.jobId;
            if (typeof jobId !== 'string') throw new Error('no job id');
            ids.add(jobId);
          } catch {
            this.unreadableLines++;
          }
        }
        return ids;
      },
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return new Set<string>();
        this.jobIds = undefined;
        throw error;
      },
    );
    return this.jobIds;
  }

  /** Whether a receipt for `jobId` is stored. */
  async has(jobId: string): Promise<boolean> {
    return (await this.load()).has(jobId);
  }

  /**
   * Appends a verified receipt. Resolves false (writing nothing) when this job's receipt is
   * already stored.
   */
  add(receipt: Receipt, signature: string): Promise<boolean> {
    const run = this.queue.then(async () => {
      const ids = await this.load();
      if (ids.has(receipt.jobId)) return false;
      const entry: StoredReceipt = { receipt, signature, receivedAt: new Date().toISOString() };
      // A line cut short by a crash must not swallow the next one.
      const prefix = this.endsWithNewline ? '' : '\n';
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      await appendFile(this.path, `${prefix}${JSON.stringify(entry)}\n`, { mode: 0o600 });
      this.endsWithNewline = true;
      ids.add(receipt.jobId);
      return true;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
