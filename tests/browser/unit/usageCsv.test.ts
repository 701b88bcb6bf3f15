/** The console's usage CSV: header, quoting, formula guard, exact USD from nano-USD. */
import { describe, expect, it } from 'vitest';
import type { UsageReportRow } from '../../../common/adminRecords.js';
import {
  csvField,
  nanosToUsd,
  usageCsv,
} from '../../../renderer/src/console/screens/usage/usageCsv.js';

const row = (group: string, overrides: Partial<UsageReportRow> = {}): UsageReportRow => ({
  group,
  requests: 3,
  errors: 1,
  promptTokens: 21,
  completionTokens: 9,
  costNanos: 123_456_789,
  upstreamCostNanos: 0,
  ttftP50Ms: 12.34,
  ttftP95Ms: 20,
  latencyP50Ms: 40.06,
  latencyP95Ms: 80,
  ...overrides,
});

describe('usageCsv', () => {
  it('writes a header and one line per row, CRLF, with raw figures', () => {
    expect(usageCsv('model', [row('tiny'), row('big', { latencyP50Ms: null })])).toBe(
      'model,requests,errors,prompt_tokens,completion_tokens,cost_usd,latency_p50_ms,latency_p95_ms,ttft_p50_ms\r\n' +
        'tiny,3,1,21,9,0.123456789,40.1,80,12.3\r\n' +
        'big,3,1,21,9,0.123456789,,80,12.3\r\n',
    );
  });

  it('is only the header without rows', () => {
    expect(usageCsv('route', []).split('\r\n')).toHaveLength(2);
  });

  it('quotes commas, quotes and line breaks, and doubles quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(usageCsv('route', [row('prov,"x"')]).split('\r\n')[1]).toMatch(/^"prov,""x""",3,/);
  });

  it('keeps spreadsheet formulas inert, but not a plain dash or numbers', () => {
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('-x')).toBe("'-x");
    expect(csvField('-')).toBe('-');
    expect(csvField(-5)).toBe('-5');
    expect(csvField(null)).toBe('');
  });

  it('turns nano-USD into USD without float rounding', () => {
    expect(nanosToUsd(0)).toBe('0.000000000');
    expect(nanosToUsd(1)).toBe('0.000000001');
    expect(nanosToUsd(12_345_678_901)).toBe('12.345678901');
    expect(nanosToUsd(-1_500_000_000)).toBe('-1.500000000');
  });
});
