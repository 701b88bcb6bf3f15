/**
 * Which routes a request may take, in which order: the organization's routing rule (the
 * most specific of org+model, org+`*`, `*`+model, `*`+`*`), its allowed routes and price
 * ceiling, its strategy, and a pin from the `x-byoi-route` header.
 */
import { ApiError } from '../../common/openaiErrors.js';
import type { RoutingRule } from '../store/types.js';
import type { Speed } from './healthBook.js';
import { NEW_NODE_SCORE } from './nodeScore.js';
import { NodeRoute } from './nodeRoute.js';
import type { Route } from './route.js';

/** The rule for `orgId` and `model`: the most specific one, or null. */
export function matchRule(
  rules: readonly RoutingRule[],
  orgId: string,
  model: string,
): RoutingRule | null {
  for (const [org, id] of [
    [orgId, model],
    [orgId, '*'],
    ['*', model],
    ['*', '*'],
  ] as const) {
    const rule = rules.find((candidate) => candidate.orgId === org && candidate.model === id);
    if (rule) return rule;
  }
  return null;
}

export interface OrderInput {
  /** The routes that serve the model. */
  routes: Route[];
  model: string;
  orgId: string;
  rule: RoutingRule | null;
  /** A route name from `x-byoi-route`: a provider, `node`/`nodes`, `own-nodes`, or a node id. */
  pin?: string;
  stats(route: Route): Speed;
  /** A node's reliability score (0-100); undefined (an upstream) counts as a new node's. */
  score?(route: Route): number | undefined;
  random?: () => number;
}

/** Prices within this fraction of the cheapest of their band count as similar. */
export const SIMILAR_PRICE = 0.1;
/** Scores in the same step of this many points count as equal (no starving over a point). */
export const SCORE_STEP = 5;

/**
 * Each route's price band: routes sorted by price, a band starting at its cheapest route and
 * holding every route priced at most {@link SIMILAR_PRICE} above it (so bands never chain).
 */
function priceBands(routes: Route[], model: string): Map<Route, number> {
  const sorted = [...routes].sort((a, b) => priceOf(a, model) - priceOf(b, model));
  const bands = new Map<Route, number>();
  let band = -1;
  let leader = -Infinity;
  for (const route of sorted) {
    const price = priceOf(route, model);
    if (!(price <= leader * (1 + SIMILAR_PRICE))) {
      band++;
      leader = price;
    }
    bands.set(route, band);
  }
  return bands;
}

const priceOf = (route: Route, model: string) => {
  const price = route.priceFor(model);
  return price ? price.prompt + price.completion : Infinity;
};
const loadOf = (route: Route, model: string) =>
  route instanceof NodeRoute ? route.load(model) : 0;

/** The names a route answers to in a rule's list. */
function groupOf(route: Route, name: string, orgId: string): boolean {
  // A relay route is a node that another instance of the cluster holds.
  const node = route.kind === 'node' || route.kind === 'relay';
  if (name === 'nodes') return node;
  if (name === 'own-nodes') return node && route.ownerOrgId === orgId;
  return route.kind === 'upstream' && route.id === name;
}

/** The allowed routes in the rule's fallback order, each with the list name that allowed it. */
function allowed(input: OrderInput): { route: Route; name: string }[] {
  const names = input.rule?.routes;
  if (!names)
    return input.routes.map((route) => ({
      route,
      name: route.kind === 'upstream' ? route.id : 'nodes',
    }));
  const seen = new Set<Route>();
  const out: { route: Route; name: string }[] = [];
  for (const name of names) {
    for (const route of input.routes) {
      if (!seen.has(route) && groupOf(route, name, input.orgId)) {
        seen.add(route);
        out.push({ route, name });
      }
    }
  }
  return out;
}

/** Speed as a sort key: unknown counts as the average of the known ones. */
function speedKeys(routes: Route[], input: OrderInput) {
  const known = (pick: (speed: Speed) => number | undefined) => {
    const values = routes.flatMap((route) => {
      const value = pick(input.stats(route));
      return value === undefined ? [] : [value];
    });
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  };
  const ttft = known((s) => s.ttftMs);
  const tps = known((s) => s.tokensPerSecond);
  return new Map(
    routes.map((route) => {
      const speed = input.stats(route);
      return [route, { ttft: speed.ttftMs ?? ttft, tps: speed.tokensPerSecond ?? tps }];
    }),
  );
}

/** Weighted random order: each next route drawn with probability ∝ its weight. */
function weightedOrder(entries: { route: Route; weight: number }[], random: () => number): Route[] {
  const left = entries.filter((entry) => entry.weight > 0);
  const out: Route[] = [];
  while (left.length) {
    let draw = random() * left.reduce((sum, entry) => sum + entry.weight, 0);
    let index = left.findIndex((entry) => (draw -= entry.weight) < 0);
    if (index < 0) index = left.length - 1;
    out.push(left.splice(index, 1)[0]!.route);
  }
  return out;
}

function applyPin(routes: Route[], pin: string, all: Route[]): Route[] {
  const matches = (route: Route) =>
    route.id === pin ||
    route.nodeId === pin ||
    (route.kind !== 'upstream' && (pin === 'node' || pin === 'nodes'));
  const pinned = routes.filter(matches);
  if (pinned.length) return pinned;
  const exists = all.some(matches) || pin === 'own-nodes';
  throw ApiError.invalidRequest(
    exists
      ? `The route '${pin}' is not allowed for this request by its routing rule (or its price ceiling)`
      : `No route named '${pin}' serves this model`,
    'x-byoi-route',
    'invalid_route',
  );
}

/** The routes `input.rule` allows, in the order to try them; a bad pin is a 400. */
export function orderRoutes(input: OrderInput): Route[] {
  const { model, rule } = input;
  const ceiling = rule?.maxPrice;
  const entries = allowed(input).filter(({ route }) => {
    const price = route.priceFor(model);
    if (!price) return false;
    return !ceiling || (price.prompt <= ceiling.prompt && price.completion <= ceiling.completion);
  });
  const routes = entries.map((entry) => entry.route);
  const speed = speedKeys(routes, input);
  const fastest = (a: Route, b: Route) =>
    speed.get(a)!.ttft - speed.get(b)!.ttft || speed.get(b)!.tps - speed.get(a)!.tps;
  const tier = new Map(
    routes.map((route) => [
      route,
      Math.round((input.score?.(route) ?? NEW_NODE_SCORE) / SCORE_STEP),
    ]),
  );
  const reliable = (a: Route, b: Route) => tier.get(b)! - tier.get(a)!;
  const byLoadSpeedPrice = (a: Route, b: Route) =>
    loadOf(a, model) - loadOf(b, model) ||
    speed.get(b)!.tps - speed.get(a)!.tps ||
    priceOf(a, model) - priceOf(b, model);
  let ordered: Route[];
  switch (rule?.strategy ?? 'cheapest') {
    case 'cheapest': {
      // Among similar prices, reliable nodes first: the score buys exposure.
      const band = priceBands(routes, model);
      ordered = [...routes].sort(
        (a, b) =>
          band.get(a)! - band.get(b)! ||
          reliable(a, b) ||
          priceOf(a, model) - priceOf(b, model) ||
          loadOf(a, model) - loadOf(b, model) ||
          speed.get(b)!.tps - speed.get(a)!.tps,
      );
      break;
    }
    case 'fastest':
      ordered = [...routes].sort(
        (a, b) => fastest(a, b) || reliable(a, b) || loadOf(a, model) - loadOf(b, model),
      );
      break;
    case 'balanced': {
      const weights = rule?.weights ?? {};
      const members = (name: string) => entries.filter((entry) => entry.name === name).length;
      ordered = weightedOrder(
        entries.map(({ route, name }) => ({ route, weight: (weights[name] ?? 1) / members(name) })),
        input.random ?? Math.random,
      );
      break;
    }
    case 'pinned': {
      // The list's order; the nodes within one name least loaded, fastest, then cheapest.
      const names = [...new Set(entries.map((entry) => entry.name))];
      ordered = names.flatMap((name) =>
        entries
          .filter((entry) => entry.name === name)
          .map((entry) => entry.route)
          .sort(byLoadSpeedPrice),
      );
      break;
    }
  }
  return input.pin ? applyPin(ordered, input.pin, input.routes) : ordered;
}
