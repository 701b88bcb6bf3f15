/**
 * The engine's side of the reason codes (common/reasonCodes.ts): every code has English for
 * logs, the tray and support bundles, which says each of its text parameters, and the codes
 * and their parameter names follow the conventions the dashboard formats by.
 */
import { describe, expect, it } from 'vitest';
import { REASON_PARAMS, reasonSchema, type ReasonCode } from '../../common/reasonCodes.js';
import { explain } from '../../main/engine/englishReasons.js';
import { sampleReasons } from '../browser/support/reasonStrings.js';

const NOW = new Date(2026, 10, 23, 12, 0);
const NUMBER_SUFFIXES = ['Seconds', 'C', 'Usd', 'Count'];

describe('reason codes on the engine side', () => {
  it('walks every code: English that names its text parameters, and a valid wire form', () => {
    const problems: string[] = [];
    for (const { code, params } of sampleReasons()) {
      // explain() is typed per code; the samples are typed by the name convention.
      const { text, code: wire } = explain(code as ReasonCode, params as never, NOW);
      if (!text.trim()) problems.push(`${code}: no English`);
      if (/undefined|NaN|\[object/.test(text)) problems.push(`${code}: "${text}"`);
      for (const [name, value] of Object.entries(params)) {
        if (typeof value === 'string' && !name.endsWith('At') && !text.includes(value))
          problems.push(`${code}: English lacks ${name}`);
      }
      expect(reasonSchema.parse(wire)).toEqual({ code, params });
    }
    expect(problems).toEqual([]);
  });

  it('names codes `area.name` and parameters in camelCase, numbers by their suffix', () => {
    for (const [code, names] of Object.entries(REASON_PARAMS)) {
      expect(code).toMatch(/^(schedule|hardware|diag|fix)\.[a-z][A-Za-z]+$/);
      for (const name of names) {
        expect(name).toMatch(/^[a-z][A-Za-z]*$/);
        // A number named without its suffix would be shown unformatted: `cores` → `coreCount`.
        if (/(count|seconds|usd)$/i.test(name))
          expect(NUMBER_SUFFIXES.some((suffix) => name.endsWith(suffix))).toBe(true);
      }
    }
  });

  it('formats times of day from `now`, as the schedule has always said them', () => {
    const until = (date: Date) =>
      explain('schedule.timedPause', { untilAt: date.toISOString() }, NOW).text;
    expect(until(new Date(2026, 10, 23, 14, 30))).toBe('paused until 14:30');
    expect(until(new Date(2026, 10, 24, 9, 5))).toBe('paused until Tue 09:05');
  });
});
