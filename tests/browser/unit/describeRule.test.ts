/** The routing editor's plain-language preview, in English and French, without a browser. */
import { readFileSync } from 'node:fs';
import { createInstance } from 'i18next';
import { describe, expect, it } from 'vitest';
import {
  describeRule,
  type DescribeWords,
  type RuleDraft,
} from '../../../renderer/src/console/screens/routing/describeRule.js';
import { formatUsd } from '../../../renderer/src/format/format.js';

const strings = (language: string) =>
  JSON.parse(
    readFileSync(
      new URL(`../../../renderer/src/console/i18n/${language}.json`, import.meta.url),
      'utf8',
    ),
  ) as Record<string, unknown>;

function words(language: 'en' | 'fr'): DescribeWords {
  const i18n = createInstance();
  void i18n.init({
    resources: { [language]: { translation: strings(language) } },
    lng: language,
    interpolation: { escapeValue: false },
    initAsync: false,
  });
  return {
    t: (key, vars) => i18n.t(key, vars),
    usd: (amount) => formatUsd(amount, language),
    language,
  };
}

const rule = (overrides: Partial<RuleDraft>): RuleDraft => ({
  model: 'llama-3',
  strategy: 'cheapest',
  routes: null,
  weights: null,
  maxPrice: null,
  ...overrides,
});

describe('describeRule', () => {
  const english = words('en');

  it('names the routes, the strategy and the ceiling', () => {
    expect(
      describeRule(
        rule({
          routes: ['openai-a', 'openai-b', 'own-nodes'],
          maxPrice: { prompt: 0.5, completion: 0.5 },
        }),
        english,
      ),
    ).toBe(
      'For llama-3: the cheapest of openai-a, openai-b, and our own nodes; never above $0.50 per million tokens.',
    );
  });

  it('describes every route, the default rule and a split ceiling', () => {
    expect(
      describeRule(
        rule({ model: '*', strategy: 'fastest', maxPrice: { prompt: 1, completion: 2 } }),
        english,
      ),
    ).toBe(
      'For every other model: the fastest route that serves it; never above $1.00 per million prompt tokens or $2.00 per million completion tokens.',
    );
    expect(describeRule(rule({ model: '' }), english)).toBe(
      'For every other model: the cheapest route that serves it.',
    );
  });

  it('gives a fixed order and weighted shares', () => {
    expect(describeRule(rule({ strategy: 'pinned', routes: ['openai-a', 'nodes'] }), english)).toBe(
      'For llama-3: openai-a, then any node, in that order.',
    );
    expect(
      describeRule(
        rule({ strategy: 'balanced', routes: ['A', 'B'], weights: { A: 3, B: 1 } }),
        english,
      ),
    ).toBe('For llama-3: shared: 75% to A and 25% to B.');
  });

  it('says what is missing while the rule is half-made', () => {
    expect(describeRule(rule({ routes: [] }), english)).toBe(
      'For llama-3: no route yet (pick at least one).',
    );
    expect(describeRule(rule({ strategy: 'balanced', routes: ['A'] }), english)).toBe(
      'For llama-3: shared by weight, once each route has a weight.',
    );
  });

  it('speaks French', () => {
    expect(
      describeRule(
        rule({ routes: ['openai-a', 'own-nodes'], maxPrice: { prompt: 0.5, completion: 0.5 } }),
        words('fr'),
      ).replace(/[\u00a0\u202f]/g, ' '),
    ).toBe(
      'Pour llama-3 : la moins chère parmi openai-a et nos propres nœuds ; jamais plus de 0,50 $US par million de jetons.',
    );
  });
});
