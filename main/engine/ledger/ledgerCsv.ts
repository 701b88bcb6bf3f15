/** The ledger as CSV, for the provider's own books: one row per job, oldest first. */
import type { LedgerEntry } from './reconcile.js';

/** The CSV's first line. */
export const LEDGER_CSV_HEADER = [
  'served_at',
  'job_id',
  'model',
  'prompt_tokens',
  'completion_tokens',
  'price_prompt_per_1m',
  'price_completion_per_1m',
  'expected_usd',
  'settled_usd',
  'status',
  'discrepancy',
].join(',');

/** Exact decimal USD from integer nano-USD ("0.000001234"), never exponent notation. */
export function formatNanosAsUsd(nanos: number): string {
  const whole = Math.floor(nanos / 1_000_000_000);
  const fraction = String(nanos - whole * 1_000_000_000).padStart(9, '0');
  return `${whole}.${fraction}`;
}

/** RFC 4180: quote a field holding a comma, a quote or a line break, doubling its quotes. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Text from the gateway (ids, times) goes through this: a spreadsheet would run a field
 * starting with = + - @ as a formula, so such a field gets a leading apostrophe (OWASP's
 * advice for CSV injection).
 */
function text(value: string): string {
  return csvField(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

function oldestFirst(a: LedgerEntry, b: LedgerEntry): number {
  const ta = Number.isNaN(a.time) ? Infinity : a.time;
  const tb = Number.isNaN(b.time) ? Infinity : b.time;
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
}

/** The whole CSV, header first, each line ending in `\n`. */
export function ledgerCsv(entries: readonly LedgerEntry[]): string {
  const rows = [...entries]
    .sort(oldestFirst)
    .map((entry) =>
      [
        text(entry.at),
        text(entry.jobId),
        text(entry.model),
        String(entry.promptTokens),
        String(entry.completionTokens),
        String(entry.price.prompt),
        String(entry.price.completion),
        entry.expectedNanos === null ? '' : formatNanosAsUsd(entry.expectedNanos),
        entry.settledNanos === null ? '' : formatNanosAsUsd(entry.settledNanos),
        entry.settledNanos === null ? 'pending' : 'settled',
        text(entry.discrepancy ?? ''),
      ].join(','),
    );
  return [LEDGER_CSV_HEADER, ...rows].map((line) => `${line}\n`).join('');
}
