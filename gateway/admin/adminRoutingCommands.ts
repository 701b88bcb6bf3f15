/**
 * Admin commands about routing: upstream providers, routing rules, usage reports, and the
 * live routes and comparisons that only a running gateway (`--url`) can answer.
 */
import type { UsageGroupBy } from '../store/types.js';
import { USAGE_GROUPINGS } from '../store/usageReport.js';
import {
  AdminUsageError,
  commaList,
  integer,
  knownOrg,
  list,
  many,
  pricePair,
  required,
  single,
  weightList,
  type Command,
  type Values,
} from './adminCommand.js';
import { isoTimeSchema, MAX_COMPARE_TOKENS } from '../../common/adminApi.js';
import type { AdminStore } from './adminStore.js';
import {
  compareTable,
  providerTable,
  reportCsv,
  reportTable,
  routeTable,
  ruleTable,
} from './adminTables.js';

/** `--model ID[=UPSTREAM_ID]`, repeated, as the provider's model map. */
function modelMap(values: Values): Record<string, string> {
  const models: Record<string, string> = {};
  for (const entry of many(values, 'model')) {
    const at = entry.indexOf('=');
    const id = at < 0 ? entry : entry.slice(0, at);
    const upstream = at < 0 ? entry : entry.slice(at + 1);
    if (id === '' || upstream === '')
      throw new AdminUsageError(`--model must look like ID or ID=UPSTREAM_ID, got '${entry}'`);
    if (Object.hasOwn(models, id)) throw new AdminUsageError(`--model names '${id}' twice`);
    models[id] = upstream;
  }
  if (Object.keys(models).length === 0)
    throw new AdminUsageError('--model ID[=UPSTREAM_ID] is required (repeat it for more models)');
  return models;
}

/** Throws exit 1 naming the command when the store has no live router. */
function live<K extends 'routes' | 'compare'>(
  store: AdminStore,
  name: K,
): NonNullable<AdminStore[K]> {
  const verb = store[name];
  if (!verb) {
    throw new AdminUsageError(
      `'${name}' needs a running gateway: use --url URL (a data folder has no live routes)`,
    );
  }
  return verb.bind(store) as NonNullable<AdminStore[K]>;
}

function isoTime(values: Values, flag: 'since' | 'until'): string | undefined {
  const value = single(values, flag);
  if (value !== undefined && !isoTimeSchema.safeParse(value).success) {
    throw new AdminUsageError(
      `--${flag} must be an ISO time such as 2030-01-31 or 2030-01-31T12:00:00Z, got '${value}'`,
    );
  }
  return value;
}

/** `usage --by …`: the org's usage grouped, as a table, CSV or JSON. */
export async function runUsageReport(
  store: AdminStore,
  values: Values,
  print: (json: unknown, text: string[]) => void,
  out: { json: boolean },
): Promise<void> {
  for (const flag of ['node', 'limit']) {
    if (values[flag] !== undefined) throw new AdminUsageError(`--${flag} does not go with --by`);
  }
  const orgId = required(values, 'org');
  const by = single(values, 'by') as UsageGroupBy;
  if (!USAGE_GROUPINGS.includes(by))
    throw new AdminUsageError(`--by must be ${USAGE_GROUPINGS.join(', ')}, got '${by}'`);
  const format = single(values, 'format') ?? (out.json ? 'json' : 'text');
  if (!['json', 'csv', 'text'].includes(format) || (out.json && format !== 'json'))
    throw new AdminUsageError(`--format must be json or csv (not with --json), got '${format}'`);
  const since = isoTime(values, 'since');
  const until = isoTime(values, 'until');
  await knownOrg(store, orgId);
  const rows = await store.usageReport({ orgId, by, since, until });
  const text =
    format === 'csv'
      ? reportCsv(by, rows)
      : format === 'json'
        ? [JSON.stringify({ data: rows }, null, 2)]
        : list('No usage.', reportTable(by, rows));
  print({ data: rows }, text);
}

async function setEnabled(
  store: AdminStore,
  name: string,
  enabled: boolean,
  print: (json: unknown, text: string[]) => void,
): Promise<void> {
  if (!(await store.setProviderEnabled(name, enabled)))
    throw new Error(`No provider named '${name}'`);
  print({ name, enabled }, [`${enabled ? 'Enabled' : 'Disabled'} provider ${name}.`]);
}

export const ROUTING_COMMANDS: Record<string, Command> = {
  'provider add': {
    args: ['NAME'],
    options: [
      'base-url',
      'api-key',
      'model',
      'price-prompt',
      'price-completion',
      'cost-prompt',
      'cost-completion',
      'max-concurrent',
    ],
    async run(store, [name], values, print) {
      const baseUrl = required(values, 'base-url', 'URL');
      const apiKeys = many(values, 'api-key');
      if (apiKeys.length === 0)
        throw new AdminUsageError('--api-key KEY is required (repeat it for more keys)');
      const models = modelMap(values);
      const price = pricePair(values, 'price-prompt', 'price-completion');
      if (!price)
        throw new AdminUsageError('--price-prompt USD and --price-completion USD are required');
      const cost = pricePair(values, 'cost-prompt', 'cost-completion');
      const maxConcurrent = integer('max-concurrent', single(values, 'max-concurrent'), 10_000);
      const added = await store.addProvider({
        name: name!,
        baseUrl,
        apiKeys,
        models,
        price,
        cost,
        maxConcurrent,
      });
      print(added, [
        `Added provider ${added.name} (${added.baseUrl}) with ${added.keys.length} key(s) and ` +
          `${Object.keys(added.models).length} model(s).`,
      ]);
    },
  },
  'provider list': {
    args: [],
    options: [],
    async run(store, _args, _values, print) {
      const providers = await store.listProviders();
      print({ data: providers }, list('No providers.', providerTable(providers)));
    },
  },
  'provider remove': {
    args: ['NAME'],
    options: [],
    async run(store, [name], _values, print) {
      if (!(await store.removeProvider(name!))) throw new Error(`No provider named '${name}'`);
      print({ name, removed: true }, [`Removed provider ${name}.`]);
    },
  },
  'provider disable': {
    args: ['NAME'],
    options: [],
    run: (store, [name], _values, print) => setEnabled(store, name!, false, print),
  },
  'provider enable': {
    args: ['NAME'],
    options: [],
    run: (store, [name], _values, print) => setEnabled(store, name!, true, print),
  },
  'routing set': {
    args: [],
    options: [
      'org',
      'model',
      'strategy',
      'routes',
      'weights',
      'max-price-prompt',
      'max-price-completion',
    ],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org', "ORG (or '*')");
      const model = required(values, 'model', "ID (or '*')");
      const strategy = required(values, 'strategy', 'S') as never;
      const routes = single(values, 'routes');
      const weights = single(values, 'weights');
      const rule = await store.setRoutingRule({
        orgId,
        model,
        strategy,
        routes: routes === undefined ? null : commaList('routes', routes),
        weights: weights === undefined ? null : weightList(weights),
        maxPrice: pricePair(values, 'max-price-prompt', 'max-price-completion'),
      });
      print(rule, [`Set the ${rule.strategy} rule for org ${orgId} and model ${model}.`]);
    },
  },
  'routing list': {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = single(values, 'org');
      await knownOrg(store, orgId, true);
      const rules = await store.listRoutingRules(orgId);
      print({ data: rules }, list('No routing rules.', ruleTable(rules)));
    },
  },
  'routing remove': {
    args: [],
    options: ['org', 'model'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org', "ORG (or '*')");
      const model = required(values, 'model', "ID (or '*')");
      if (!(await store.removeRoutingRule(orgId, model)))
        throw new Error(`No routing rule for org '${orgId}' and model '${model}'`);
      print({ orgId, model, removed: true }, [
        `Removed the rule for org ${orgId} and model ${model}.`,
      ]);
    },
  },
  routes: {
    args: [],
    options: [],
    async run(store, _args, _values, print) {
      const routes = await live(store, 'routes')();
      print({ data: routes }, list('No routes.', routeTable(routes)));
    },
  },
  compare: {
    args: [],
    options: ['org', 'model', 'prompt', 'max-tokens', 'key'],
    async run(store, _args, values, print) {
      const compare = live(store, 'compare');
      const orgId = required(values, 'org');
      const model = required(values, 'model');
      const prompt = required(values, 'prompt', 'TEXT');
      const maxTokens = integer('max-tokens', single(values, 'max-tokens'), MAX_COMPARE_TOKENS);
      const rows = await compare({
        orgId,
        model,
        prompt,
        maxTokens,
        apiKeyId: single(values, 'key'),
      });
      print({ data: rows }, list('No route serves this model.', compareTable(rows)));
    },
  },
};
