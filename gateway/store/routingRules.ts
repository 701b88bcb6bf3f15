/**
 * Routing rules in the `routing_rules` table, one per (org or `*`, model or `*`): their
 * checks (the routes they name must exist) and their queries.
 */
import type { Sql, SqlDb } from './sql.js';
import { isModelId } from './providers.js';
import { checkModelPrice, FieldError } from './storeRows.js';
import {
  NODE_ROUTE_NAMES,
  UnknownOrgError,
  type NewRoutingRule,
  type RoutingRule,
  type RoutingStrategy,
} from './types.js';

/** Every strategy a rule may name. */
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = [
  'cheapest',
  'fastest',
  'balanced',
  'pinned',
];
/** Most routes one rule may list, and the largest weight. */
const MAX_ROUTES = 64;
const MAX_WEIGHT = 1_000_000;

interface RuleRow {
  org_id: string;
  model: string;
  strategy: RoutingStrategy;
  routes: string[] | null;
  weights: Record<string, number> | null;
  max_price_prompt: number | null;
  max_price_completion: number | null;
  updated_at: Date;
}

const toRule = (row: RuleRow): RoutingRule => ({
  orgId: row.org_id,
  model: row.model,
  strategy: row.strategy,
  routes: row.routes,
  weights: row.weights,
  maxPrice:
    row.max_price_prompt === null || row.max_price_completion === null
      ? null
      : { prompt: row.max_price_prompt, completion: row.max_price_completion },
  updatedAt: row.updated_at.toISOString(),
});

const isNodeRoute = (name: string): boolean =>
  (NODE_ROUTE_NAMES as readonly string[]).includes(name);

function checkRoutes(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ROUTES) {
    throw new FieldError(
      'routes',
      `routes must list 1 to ${MAX_ROUTES} route names, or be left out`,
    );
  }
  value.forEach((name: unknown, index) => {
    if (typeof name !== 'string' || name === '' || name.length > 64)
      throw new FieldError(
        `routes[${index}]`,
        `Route name ${index + 1} must be 1 to 64 characters`,
      );
    if (value.indexOf(name) !== index)
      throw new FieldError(`routes[${index}]`, `Route '${name}' is listed twice`);
  });
  return [...(value as string[])];
}

function checkWeights(value: unknown): Record<string, number> | null {
  if (value === null || value === undefined) return null;
  const entries =
    typeof value === 'object' && !Array.isArray(value)
      ? Object.entries(value as Record<string, unknown>)
      : [];
  if (entries.length === 0)
    throw new FieldError('weights', 'weights must give at least one route a weight');
  for (const [name, weight] of entries) {
    if (
      typeof weight !== 'number' ||
      !Number.isSafeInteger(weight) ||
      weight < 1 ||
      weight > MAX_WEIGHT
    ) {
      throw new FieldError(
        `weights.${name}`,
        `The weight of '${name}' must be a whole number from 1 to ${MAX_WEIGHT}, got ${String(weight)}`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, number>;
}

/**
 * The checks that need no database: org and model ids, the strategy, and that routes and
 * weights fit the strategy and each other.
 */
export function checkRuleShape(rule: NewRoutingRule): NewRoutingRule {
  if (typeof rule !== 'object' || rule === null) throw new RangeError('A rule must be an object');
  if (rule.orgId !== '*' && (typeof rule.orgId !== 'string' || !isModelId(rule.orgId)))
    throw new FieldError('orgId', "orgId must be an organization id or '*'");
  if (rule.model !== '*' && !isModelId(rule.model))
    throw new FieldError('model', "model must be a model id (1 to 128 characters) or '*'");
  if (!ROUTING_STRATEGIES.includes(rule.strategy)) {
    throw new FieldError(
      'strategy',
      `strategy must be one of ${ROUTING_STRATEGIES.join(', ')}; got '${String(rule.strategy)}'`,
    );
  }
  const routes = checkRoutes(rule.routes);
  const weights = checkWeights(rule.weights);
  if (rule.strategy === 'pinned' && !routes)
    throw new FieldError('routes', "The 'pinned' strategy needs routes, in the order to try them");
  if (rule.strategy === 'balanced') {
    if (!weights)
      throw new FieldError('weights', "The 'balanced' strategy needs weights, e.g. {A: 3, B: 1}");
    if (routes) {
      const unlisted = Object.keys(weights).find((name) => !routes.includes(name));
      if (unlisted)
        throw new FieldError('weights', `Weighted route '${unlisted}' is not in routes`);
      const unweighted = routes.find((name) => !(name in weights));
      if (unweighted) throw new FieldError('weights', `Route '${unweighted}' has no weight`);
    }
  } else if (weights) {
    throw new FieldError('weights', "weights are only for the 'balanced' strategy");
  }
  const maxPrice =
    rule.maxPrice === null || rule.maxPrice === undefined
      ? null
      : checkModelPrice('maxPrice', rule.maxPrice);
  return {
    orgId: rule.orgId,
    model: rule.model,
    strategy: rule.strategy,
    routes,
    weights,
    maxPrice,
  };
}

/** Throws unless the org exists and every named route is a node route or a known provider. */
async function checkReferences(tx: Sql, rule: NewRoutingRule): Promise<void> {
  if (rule.orgId !== '*') {
    const org = await tx.query('SELECT id FROM orgs WHERE id = $1', [rule.orgId]);
    if (org.rows.length === 0) throw new UnknownOrgError(rule.orgId);
  }
  const names = [...new Set([...(rule.routes ?? []), ...Object.keys(rule.weights ?? {})])];
  const providers = names.filter((name) => !isNodeRoute(name));
  if (providers.length === 0) return;
  // FOR SHARE: a provider this rule names cannot be removed until the rule is committed,
  // and `deleteProvider` (which locks the row first) then sees the rule.
  const { rows } = await tx.query<{ name: string }>(
    'SELECT name FROM providers WHERE name = ANY($1::text[]) FOR SHARE',
    [providers],
  );
  const known = new Set(rows.map((row) => row.name));
  const unknown = providers.find((name) => !known.has(name));
  if (unknown !== undefined) {
    const field = rule.routes?.includes(unknown) ? 'routes' : 'weights';
    throw new FieldError(
      field,
      `Unknown route '${unknown}': name a provider or ${NODE_ROUTE_NAMES.join(' or ')}`,
    );
  }
}

/**
 * Adds or replaces the rule. An unchanged rule is left as it was, its `updatedAt` too, so
 * that applying a config file twice changes nothing.
 */
export async function upsertRule(db: SqlDb, rule: NewRoutingRule, now: Date): Promise<RoutingRule> {
  const checked = checkRuleShape(rule);
  return db.transaction(async (tx) => {
    await checkReferences(tx, checked);
    const params = [
      checked.orgId,
      checked.model,
      checked.strategy,
      checked.routes === null ? null : JSON.stringify(checked.routes),
      checked.weights === null ? null : JSON.stringify(checked.weights),
      checked.maxPrice?.prompt ?? null,
      checked.maxPrice?.completion ?? null,
      now,
    ];
    const { rows } = await tx.query<RuleRow>(
      `INSERT INTO routing_rules (org_id, model, strategy, routes, weights, max_price_prompt,
         max_price_completion, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (org_id, model) DO UPDATE SET strategy = EXCLUDED.strategy,
         routes = EXCLUDED.routes, weights = EXCLUDED.weights,
         max_price_prompt = EXCLUDED.max_price_prompt,
         max_price_completion = EXCLUDED.max_price_completion, updated_at = EXCLUDED.updated_at
       WHERE (routing_rules.strategy, routing_rules.routes, routing_rules.weights,
           routing_rules.max_price_prompt, routing_rules.max_price_completion)
         IS DISTINCT FROM (EXCLUDED.strategy, EXCLUDED.routes, EXCLUDED.weights,
           EXCLUDED.max_price_prompt, EXCLUDED.max_price_completion)
       RETURNING *`,
      params,
    );
    if (rows[0]) return toRule(rows[0]);
    const same = await tx.query<RuleRow>(
      'SELECT * FROM routing_rules WHERE org_id = $1 AND model = $2',
      [checked.orgId, checked.model],
    );
    return toRule(same.rows[0]!);
  });
}

/** Every rule, or one org's (`*` for the rules of every org), by org and model. */
export async function selectRules(db: Sql, orgId?: string): Promise<RoutingRule[]> {
  const { rows } = await db.query<RuleRow>(
    `SELECT * FROM routing_rules WHERE $1::text IS NULL OR org_id = $1 ORDER BY org_id, model`,
    [orgId ?? null],
  );
  return rows.map(toRule);
}

export async function deleteRule(db: Sql, orgId: string, model: string): Promise<boolean> {
  const { rows } = await db.query(
    'DELETE FROM routing_rules WHERE org_id = $1 AND model = $2 RETURNING org_id',
    [orgId, model],
  );
  return rows.length === 1;
}
