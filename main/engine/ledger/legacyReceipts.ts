/**
 * Receipts kept by the previous build in `<dataDir>/receipts.jsonl` (one `StoredReceipt` JSON
 * per line, see main/engine/link/receipts.ts). The ledger imports them on every open; the
 * file is only ever read, never changed or removed, so an older build can still use it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { receiptSchema } from '../../../common/protocol.js';

/** The previous build's receipts file, in the data folder. */
export const LEGACY_RECEIPTS_FILE = 'receipts.jsonl';

const storedReceiptSchema = z.object({
  receipt: receiptSchema,
  signature: z.string().max(4096),
  receivedAt: z.string().max(64),
});
export type LegacyReceipt = z.infer<typeof storedReceiptSchema>;

/** The readable receipts of `<dataDir>/receipts.jsonl` ([] when there is none). */
export async function readLegacyReceipts(
  dataDir: string,
): Promise<{ receipts: LegacyReceipt[]; unreadableLines: number }> {
  const text = await readFile(join(dataDir, LEGACY_RECEIPTS_FILE), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  const receipts: LegacyReceipt[] = [];
  let unreadableLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      unreadableLines++;
      continue;
    }
    const parsed = storedReceiptSchema.safeParse(json);
    if (parsed.success) receipts.push(parsed.data);
    else unreadableLines++;
  }
  return { receipts, unreadableLines };
}
