/**
 * The plain-language preview of a routing rule, e.g. "For llama-3: the cheapest of openai-a
 * and openai-b; never above $0.50 per million tokens". Pure: the words come from the caller
 * (the console's `t`), so that tests can run it without a browser.
 */
import type { RoutingStrategy } from '../../../../../common/adminRecords.js';
import type { ModelPrice } from '../../../../../common/protocol.js';

/** What the editor holds: a rule before it is saved. */
export interface RuleDraft {
  /** A model id, or `*` for the default rule. */
  model: string;
  strategy: RoutingStrategy;
  /** Allowed routes in fallback order; null = every route. */
  routes: string[] | null;
  weights: Record<string, number> | null;
  maxPrice: ModelPrice | null;
}

export interface DescribeWords {
  t: (key: string, vars?: Record<string, unknown>) => string;
  /** A USD amount as the language writes it. */
  usd: (amount: number) => string;
  language: string;
}

/** A route's name as people say it: `own-nodes` is "our own nodes". */
export function routeLabel(name: string, words: DescribeWords): string {
  if (name === 'own-nodes') return words.t('routing.describe.ownNodes');
  if (name === 'nodes') return words.t('routing.describe.nodes');
  return name;
}

function list(items: string[], language: string): string {
  return new Intl.ListFormat(language, { type: 'conjunction' }).format(items);
}

function body(rule: RuleDraft, words: DescribeWords): string {
  const { t } = words;
  const names = rule.routes?.map((name) => routeLabel(name, words)) ?? null;
  if (names !== null && names.length === 0) return t('routing.describe.noRoutes');
  switch (rule.strategy) {
    case 'pinned':
      return names
        ? t('routing.describe.pinned', { routes: names.join(t('routing.describe.then')) })
        : t('routing.describe.anyRouteInOrder');
    case 'balanced': {
      const weights = rule.weights ?? {};
      const keys = rule.routes ?? Object.keys(weights);
      const total = keys.reduce((sum, key) => sum + Math.max(0, weights[key] ?? 0), 0);
      if (keys.length === 0 || total <= 0) return t('routing.describe.balancedNoWeights');
      const shares = keys.map((key) =>
        t('routing.describe.share', {
          route: routeLabel(key, words),
          percent: Math.round((100 * Math.max(0, weights[key] ?? 0)) / total),
        }),
      );
      return t('routing.describe.balanced', { shares: list(shares, words.language) });
    }
    case 'cheapest':
    case 'fastest':
      return names
        ? t(`routing.describe.${rule.strategy}Of`, { routes: list(names, words.language) })
        : t(`routing.describe.${rule.strategy}Any`);
    default:
      return rule.strategy satisfies never;
  }
}

function ceiling(price: ModelPrice | null, words: DescribeWords): string | null {
  if (!price) return null;
  if (price.prompt === price.completion)
    return words.t('routing.describe.ceiling', { price: words.usd(price.prompt) });
  return words.t('routing.describe.ceilingSplit', {
    prompt: words.usd(price.prompt),
    completion: words.usd(price.completion),
  });
}

/** The sentence the editor shows under the rule. */
export function describeRule(rule: RuleDraft, words: DescribeWords): string {
  const model = rule.model.trim();
  const parts = [body(rule, words), ceiling(rule.maxPrice, words)].filter(
    (part): part is string => part !== null,
  );
  const text = parts.join(words.t('routing.describe.joiner'));
  return model === '' || model === '*'
    ? words.t('routing.describe.forDefault', { text })
    : words.t('routing.describe.forModel', { model, text });
}
