/**
 * The lines of `ledger.jsonl`: one record per line, each carrying a CRC-32 of its own bytes
 * so that a line torn by a crash, or damaged on disk, is told apart from a good one.
 *
 * A line is the record's JSON with `"crc":"<8 hex digits>"` appended as its last member; the
 * checksum covers the exact UTF-8 bytes of the JSON without that member. The line is still
 * plain JSON, so `jq` and friends can read the file.
 */
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { modelPriceSchema, receiptSchema, rewardSplitSchema } from '../../../common/protocol.js';

/** The format version written in every record. */
export const LEDGER_RECORD_VERSION = 1;

const id = z.string().min(1).max(128);
const count = z.number().int().nonnegative();
const feeBasisPoints = z.number().int().min(0).max(10_000).nullable();

/** A job as served and metered by this node (what {@link Ledger.recordJob} takes). */
export const servedJobSchema = z.object({
  jobId: id,
  model: id,
  promptTokens: count,
  completionTokens: count,
  price: modelPriceSchema,
  feeBasisPoints,
  servedAt: z.iso.datetime({ offset: true }),
});

/** One job as it is stored. */
export const jobRecordSchema = servedJobSchema.extend({
  v: z.literal(LEDGER_RECORD_VERSION),
  t: z.literal('job'),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

/** One verified receipt as it is stored, with the reward split that applied to it. */
export const receiptRecordSchema = z.object({
  v: z.literal(LEDGER_RECORD_VERSION),
  t: z.literal('receipt'),
  receipt: receiptSchema,
  signature: z.string().max(4096),
  split: rewardSplitSchema,
  receivedAt: z.string().max(64),
});
export type ReceiptRecord = z.infer<typeof receiptRecordSchema>;

export const ledgerRecordSchema = z.discriminatedUnion('t', [jobRecordSchema, receiptRecordSchema]);
export type LedgerRecord = z.infer<typeof ledgerRecordSchema>;

const CLOSE_BRACE = Buffer.from('}');
// `,"crc":"` + 8 hex digits + `"}`: always ASCII, so its byte length is fixed.
const TRAILER_BYTES = 18;
const TRAILER = /,"crc":"([0-9a-f]{8})"\}$/;

const hex = (value: number) => value.toString(16).padStart(8, '0');

/** The line (without its newline) that stores `record`. */
export function encodeRecord(record: LedgerRecord): string {
  const json = JSON.stringify(record);
  const checksum = crc32(Buffer.from(json, 'utf8'));
  return `${json.slice(0, -1)},"crc":"${hex(checksum)}"}`;
}

/** What one line of the file holds. */
export type DecodedLine =
  | { kind: 'record'; record: LedgerRecord }
  /** Intact (its checksum holds) but not a record this build knows, e.g. from a newer one. */
  | { kind: 'unknown' }
  /** Not JSON, or its checksum fails: torn or damaged. */
  | { kind: 'corrupt' };

/** Decodes one line's bytes (without the newline). */
export function decodeLine(bytes: Buffer): DecodedLine {
  const text = bytes.toString('utf8');
  const trailer = TRAILER.exec(text);
  if (!trailer || bytes.length <= TRAILER_BYTES) return { kind: 'corrupt' };
  const body = bytes.subarray(0, bytes.length - TRAILER_BYTES);
  if (hex(crc32(CLOSE_BRACE, crc32(body))) !== trailer[1]) return { kind: 'corrupt' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'corrupt' };
  }
  const parsed = ledgerRecordSchema.safeParse(json);
  return parsed.success ? { kind: 'record', record: parsed.data } : { kind: 'unknown' };
}
