/**
 * The usage table as CSV (RFC 4180): the rows on screen, with raw figures (USD with nine
 * decimals, milliseconds), so that a spreadsheet reads them without the locale's formatting.
 */
import type { UsageReportRow } from '../../../../../common/adminRecords.js';

/** The CSV header; the first column is the grouping (model, route, key or node). */
export const USAGE_CSV_COLUMNS = [
  'requests',
  'errors',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'latency_p50_ms',
  'latency_p95_ms',
  'ttft_p50_ms',
] as const;

/** One CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled). */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote it with a '.
  const formula = /^[=+@\t\r]/.test(text) || /^-[^\d.]/.test(text);
  const safe = typeof value === 'string' && formula ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** USD from nano-USD with every digit kept (no float rounding). */
export function nanosToUsd(nanos: number): string {
  const sign = nanos < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(nanos))).padStart(10, '0');
  return `${sign}${digits.slice(0, -9)}.${digits.slice(-9)}`;
}

function ms(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** The report rows as a CSV text, with a header naming the grouping, lines ending CRLF. */
export function usageCsv(groupBy: string, rows: readonly UsageReportRow[]): string {
  const lines = [[groupBy, ...USAGE_CSV_COLUMNS].map(csvField).join(',')];
  for (const row of rows) {
    lines.push(
      [
        row.group,
        row.requests,
        row.errors,
        row.promptTokens,
        row.completionTokens,
        nanosToUsd(row.costNanos),
        ms(row.latencyP50Ms),
        ms(row.latencyP95Ms),
        ms(row.ttftP50Ms),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
