/**
 * The rule editor's fields, as a loose draft for the live preview and as the checked body of
 * `PUT /admin/v1/routing-rules`. Pure; errors are console string keys.
 */
import type { RoutingRule, RoutingStrategy } from '../../../../../common/adminRecords';
import type { ModelPrice } from '../../../../../common/protocol';
import { parseNumber } from '../../../components/Fields';
import type { ConsoleKey } from '../../i18n/i18n';
import type { RuleDraft } from './describeRule';

export interface RuleFields {
  model: string;
  strategy: RoutingStrategy;
  everyRoute: boolean;
  routes: string[];
  weights: Record<string, string>;
  ceilingPrompt: string;
  ceilingCompletion: string;
}

const MAX_WEIGHT = 1_000_000;

export const NEW_RULE: RuleFields = {
  model: '',
  strategy: 'cheapest',
  everyRoute: true,
  routes: [],
  weights: {},
  ceilingPrompt: '',
  ceilingCompletion: '',
};

export function fieldsOfRule(rule: RoutingRule): RuleFields {
  return {
    model: rule.model === '*' ? '' : rule.model,
    strategy: rule.strategy,
    everyRoute: rule.routes === null,
    routes: rule.routes ?? Object.keys(rule.weights ?? {}),
    weights: Object.fromEntries(
      Object.entries(rule.weights ?? {}).map(([name, weight]) => [name, String(weight)]),
    ),
    ceilingPrompt: rule.maxPrice ? String(rule.maxPrice.prompt) : '',
    ceilingCompletion: rule.maxPrice ? String(rule.maxPrice.completion) : '',
  };
}

function ceiling(fields: RuleFields): ModelPrice | null | 'bad' {
  const blank = (text: string) => text.trim() === '';
  if (blank(fields.ceilingPrompt) && blank(fields.ceilingCompletion)) return null;
  const prompt = parseNumber(fields.ceilingPrompt);
  const completion = parseNumber(fields.ceilingCompletion);
  if (prompt === null || completion === null || prompt < 0 || completion < 0) return 'bad';
  return { prompt, completion };
}

/** What the preview describes, even while fields are half-filled. */
export function draftOf(fields: RuleFields): RuleDraft {
  const routes = fields.everyRoute ? null : fields.routes;
  const price = ceiling(fields);
  return {
    model: fields.model.trim() || '*',
    strategy: fields.strategy,
    routes,
    weights:
      fields.strategy === 'balanced'
        ? Object.fromEntries(
            (routes ?? []).map((name) => [name, parseNumber(fields.weights[name] ?? '') ?? 0]),
          )
        : null,
    maxPrice: price === 'bad' ? null : price,
  };
}

export type RuleBody = Omit<RoutingRule, 'updatedAt'>;

/** Checks the fields; the body to PUT, or the key of what is wrong. */
export function ruleBody(
  orgId: string,
  fields: RuleFields,
): { ok: true; body: RuleBody } | { ok: false; key: ConsoleKey } {
  const model = fields.model.trim() || '*';
  if (model.length > 128) return { ok: false, key: 'routing.badModel' };
  if (fields.everyRoute && fields.strategy === 'pinned')
    return { ok: false, key: 'routing.pinnedNeedsRoutes' };
  if (fields.everyRoute && fields.strategy === 'balanced')
    return { ok: false, key: 'routing.balancedNeedsRoutes' };
  if (!fields.everyRoute && fields.routes.length === 0)
    return { ok: false, key: 'routing.needRoutes' };
  let weights: Record<string, number> | null = null;
  if (fields.strategy === 'balanced') {
    weights = {};
    for (const name of fields.routes) {
      const weight = parseNumber(fields.weights[name] ?? '');
      if (weight === null || !Number.isInteger(weight) || weight < 1 || weight > MAX_WEIGHT)
        return { ok: false, key: 'routing.badWeight' };
      weights[name] = weight;
    }
  }
  const maxPrice = ceiling(fields);
  if (maxPrice === 'bad') return { ok: false, key: 'routing.badCeiling' };
  return {
    ok: true,
    body: {
      orgId,
      model,
      strategy: fields.strategy,
      routes: fields.everyRoute ? null : [...fields.routes],
      weights,
      maxPrice,
    },
  };
}
