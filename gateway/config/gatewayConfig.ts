/**
 * `byoi-gateway serve --config FILE`: upstream providers and routing rules from a YAML file,
 * applied at every start. `${ENV_NAME}` in any string value is read from the environment,
 * so that API keys need not be written in the file. Every value is checked when the file
 * is loaded, by the store's own checks, and an error names the file and the field.
 */
import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { paramPath } from '../../common/openaiErrors.js';
import { checkProvider } from '../store/providers.js';
import { checkRuleShape } from '../store/routingRules.js';
import { FieldError } from '../store/storeRows.js';
import {
  NODE_ROUTE_NAMES,
  type GatewayStore,
  type NewProvider,
  type NewRoutingRule,
} from '../store/types.js';

const price = z.strictObject({ prompt: z.number(), completion: z.number() });

const providerSchema = z.strictObject({
  name: z.string(),
  baseUrl: z.string(),
  apiKeys: z.array(z.string()),
  /** Client id → provider id, or a list of ids that map to themselves. */
  models: z.union([
    z.record(z.string(), z.string()),
    z.array(z.string()).transform((ids) => Object.fromEntries(ids.map((id) => [id, id]))),
  ]),
  price,
  cost: price.optional(),
  maxConcurrent: z.number().int().optional(),
  enabled: z.boolean().optional(),
});

const ruleSchema = z.strictObject({
  org: z.string(),
  model: z.string(),
  strategy: z.enum(['cheapest', 'fastest', 'balanced', 'pinned']),
  routes: z.array(z.string()).optional(),
  weights: z.record(z.string(), z.number()).optional(),
  maxPrice: price.optional(),
});

const configSchema = z.strictObject({
  providers: z.array(providerSchema).default([]),
  routing: z.array(ruleSchema).default([]),
});

/** A loaded, checked config file. */
export interface GatewayConfig {
  /** The file it came from, for messages. */
  file: string;
  providers: NewProvider[];
  rules: NewRoutingRule[];
}

/** A config file that cannot be used; the message names the file and the field. */
export class GatewayConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayConfigError';
  }
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces `${NAME}` in every string of `value` (not in keys), naming the path of a missing one. */
function substitute(
  value: unknown,
  env: NodeJS.ProcessEnv,
  fail: (path: PropertyKey[], message: string) => never,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, name: string) => {
      const found = env[name];
      if (found === undefined) fail(path, `the environment variable ${name} is not set`);
      return found;
    });
  }
  if (Array.isArray(value))
    return value.map((item, i) => substitute(item, env, fail, [...path, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        substitute(item, env, fail, [...path, key]),
      ]),
    );
  }
  return value;
}

/** `providers[0].price.prompt` from the entry's path and the store's field name. */
function join(base: PropertyKey[], field: string): string {
  const prefix = paramPath(base) ?? '';
  if (field === '') return prefix;
  return field.startsWith('[') ? `${prefix}${field}` : `${prefix}.${field}`;
}

/**
 * Reads, substitutes and checks the config file. Throws {@link GatewayConfigError} for an
 * unreadable file, bad YAML, a missing environment variable or a bad field.
 */
export function loadGatewayConfig(path: string, env: NodeJS.ProcessEnv): GatewayConfig {
  const fail = (at: PropertyKey[] | string, message: string): never => {
    const where = typeof at === 'string' ? at : paramPath(at);
    throw new GatewayConfigError(`${path}: ${where ? `${where}: ` : ''}${message}`);
  };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewayConfigError(
      `Could not read the gateway config ${path}: ${(error as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message : String(error);
    return fail([], `not valid YAML: ${message}`);
  }
  const parsed = configSchema.safeParse(substitute(raw, env, fail));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(issue.path, issue.message);
  }
  const { providers: providerEntries, routing } = parsed.data;

  const providers = providerEntries.map((entry, index) => {
    try {
      const { enabled, ...checked } = checkProvider({ ...entry, cost: entry.cost ?? null });
      // Without `enabled` in the file, a provider an admin disabled stays disabled.
      return entry.enabled === undefined ? checked : { ...checked, enabled };
    } catch (error) {
      const field = error instanceof FieldError ? error.field : '';
      return fail(join(['providers', index], field), (error as Error).message);
    }
  });
  const names = new Set<string>();
  providers.forEach((provider, index) => {
    if (names.has(provider.name))
      fail(['providers', index, 'name'], `provider '${provider.name}' is listed twice`);
    names.add(provider.name);
  });

  const keys = new Set<string>();
  const rules = routing.map((entry, index) => {
    const rule = {
      orgId: entry.org,
      model: entry.model,
      strategy: entry.strategy,
      routes: entry.routes ?? null,
      weights: entry.weights ?? null,
      maxPrice: entry.maxPrice ?? null,
    };
    const fieldPath = (field: string) =>
      join(['routing', index], field === 'orgId' ? 'org' : field);
    try {
      checkRuleShape(rule);
    } catch (error) {
      fail(fieldPath(error instanceof FieldError ? error.field : ''), (error as Error).message);
    }
    const key = `${rule.orgId}\u0000${rule.model}`;
    if (keys.has(key))
      fail(
        ['routing', index],
        `a rule for org '${rule.orgId}' and model '${rule.model}' is listed twice`,
      );
    keys.add(key);
    return rule;
  });
  return { file: path, providers, rules };
}

/**
 * Writes the config's providers (upserted by name) and rules (set by org and model) into
 * the store; what the config does not name is left alone. Idempotent: applying the same
 * config twice changes nothing. Org and route references are checked before anything is
 * written, so a bad one changes nothing either.
 */
export async function applyGatewayConfig(
  store: GatewayStore,
  config: GatewayConfig,
): Promise<{ providers: number; rules: number }> {
  const known = new Set([
    ...config.providers.map((p) => p.name),
    ...(await store.listProviders()).map((p) => p.name),
    ...NODE_ROUTE_NAMES,
  ]);
  for (const [index, rule] of config.rules.entries()) {
    const where = `${config.file}: routing[${index}]`;
    if (rule.orgId !== '*' && !(await store.getOrg(rule.orgId)))
      throw new GatewayConfigError(`${where}.org: unknown organization '${rule.orgId}'`);
    const names = [...(rule.routes ?? []), ...Object.keys(rule.weights ?? {})];
    const unknown = names.find((name) => !known.has(name));
    if (unknown !== undefined) {
      throw new GatewayConfigError(
        `${where}.routes: unknown route '${unknown}': name a provider or ${NODE_ROUTE_NAMES.join(' or ')}`,
      );
    }
  }
  for (const provider of config.providers) await store.upsertProvider(provider);
  for (const rule of config.rules) await store.setRoutingRule(rule);
  return { providers: config.providers.length, rules: config.rules.length };
}
