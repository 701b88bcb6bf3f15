/**
 * Every reason code (common/reasonCodes.ts) has a text in English and in French, with a
 * placeholder for each of its parameters and no other; the dashboard formats the parameters
 * in the language on screen, and shows the engine's English for a code it does not know.
 */
import { describe, expect, it } from 'vitest';
import { REASON_PARAMS } from '../../../common/reasonCodes.js';
import { formatReasonParam, reasonText } from '../../../renderer/src/i18n/reasonText.js';
import {
  STRINGS,
  dashboardI18n,
  plainSpaces,
  sampleReasons,
  type StringTree,
} from '../support/reasonStrings.js';

const placeholders = (text: string) =>
  [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]!).sort();

function template(tree: StringTree, code: string): string | undefined {
  let node: string | StringTree | undefined = tree.reasons;
  for (const part of code.split('.')) node = typeof node === 'object' ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

function leafKeys(tree: StringTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : leafKeys(value, `${prefix}${key}.`),
  );
}

const codes = Object.keys(REASON_PARAMS) as Array<keyof typeof REASON_PARAMS>;
const NOW = new Date(2026, 10, 23, 12, 0);

describe('reason codes in the dashboard strings', () => {
  it('walks every code: both languages have a text, with exactly its parameters', () => {
    const problems: string[] = [];
    for (const code of codes) {
      const params = [...REASON_PARAMS[code]].sort();
      const english = template(STRINGS.en, code);
      const french = template(STRINGS.fr, code);
      if (!english?.trim()) problems.push(`${code}: no English`);
      if (!french?.trim()) problems.push(`${code}: no French`);
      if (!english || !french) continue;
      if (english === french) problems.push(`${code}: French is the English`);
      for (const [language, text] of [
        ['en', english],
        ['fr', french],
      ] as const) {
        if (placeholders(text).join() !== params.join())
          problems.push(
            `${code} (${language}): {{${placeholders(text).join()}}} vs ${params.join()}`,
          );
      }
    }
    expect(codes.length).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it('has no text for a code that does not exist', () => {
    for (const tree of [STRINGS.en, STRINGS.fr]) {
      const reasons = tree.reasons;
      expect(typeof reasons).toBe('object');
      expect(leafKeys(reasons as StringTree).sort()).toEqual([...codes].sort());
    }
  });

  it.each(['en', 'fr'] as const)(
    'renders every code in %s with its parameters filled in',
    (language) => {
      const i18n = dashboardI18n(language);
      for (const reason of sampleReasons()) {
        const text = reasonText(i18n, reason, 'ENGLISH FALLBACK', NOW);
        expect(text, reason.code).not.toBe('ENGLISH FALLBACK');
        expect(text, reason.code).not.toMatch(/{{|}}|undefined|NaN|\[object/);
        for (const [name, value] of Object.entries(reason.params)) {
          expect(text, `${reason.code} ${name}`).toContain(
            formatReasonParam(name, value, language, NOW),
          );
        }
      }
    },
  );
});

describe('reasonText', () => {
  const en = dashboardI18n('en');
  const fr = dashboardI18n('fr');

  it('translates a reason and formats its parameters for the language', () => {
    const hot = {
      code: 'schedule.cooling',
      params: { temperatureC: 82.4, limitC: 85, resumeBelowC: 80 },
    };
    expect(reasonText(en, hot, '', NOW)).toBe(
      'paused: GPU at 82 °C (limit 85 °C, resuming below 80 °C)',
    );
    expect(reasonText(fr, hot, '', NOW)).toBe(
      'en pause : GPU à 82 °C (limite 85 °C, reprise sous 80 °C)',
    );
    const idle = { code: 'schedule.idle', params: { idleSeconds: 5400 } };
    expect(reasonText(en, idle, '', NOW)).toBe('serving: idle for 1 hr 30 min');
    expect(plainSpaces(reasonText(fr, idle, '', NOW))).toBe(
      'en service : au repos depuis 1 h 30 min',
    );
    const price = {
      code: 'diag.priceHigh',
      params: { model: 'qwen', askUsd: 0.9, medianUsd: 0.3 },
    };
    expect(reasonText(en, price, '', NOW)).toContain('qwen asks $0.90 per 1M');
    expect(plainSpaces(reasonText(fr, price, '', NOW))).toContain('qwen demande 0,90 $');
  });

  it('says a time of day alone today, and with its weekday on another day', () => {
    const at = (date: Date) => ({
      code: 'schedule.timedPause',
      params: { untilAt: date.toISOString() },
    });
    expect(reasonText(fr, at(new Date(2026, 10, 23, 14, 30)), '', NOW)).toBe(
      "en pause jusqu'à 14:30",
    );
    expect(reasonText(fr, at(new Date(2026, 10, 24, 9, 5)), '', NOW)).toBe(
      "en pause jusqu'à mar. 09:05",
    );
  });

  it("shows the engine's English for an unknown code, or when there is no code", () => {
    const newer = { code: 'schedule.fromTheFuture', params: { x: 1 } };
    expect(reasonText(fr, newer, 'serving: a newer rule', NOW)).toBe('serving: a newer rule');
    expect(reasonText(fr, { code: 'schedule', params: {} }, 'older', NOW)).toBe('older');
    expect(reasonText(fr, undefined, 'from an older engine', NOW)).toBe('from an older engine');
    expect(reasonText(fr, null, 'none', NOW)).toBe('none');
  });
});
