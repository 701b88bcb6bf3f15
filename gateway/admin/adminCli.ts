/**
 * `byoi-gateway admin …`: organizations, API keys, enrollment codes, nodes, usage and
 * balances, upstream providers and routing rules from the command line. Exit codes: 0 done, 1 failed (an unknown id, say),
 * 2 a mistake in the command line. Errors are one clear line, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { ApiError } from '../../common/openaiErrors.js';
import { ConflictError, STORE_LIMITS, UnknownOrgError } from '../store/types.js';
import {
  AdminUsageError,
  integer,
  knownOrg,
  list,
  required,
  type Command,
  type Print,
} from './adminCommand.js';
import { balanceLines, keyTable, nodeTable, orgTable, usageTable } from './adminFormat.js';
import { POLICY_COMMANDS } from './adminPolicyCommands.js';
import { ROUTING_COMMANDS, runUsageReport } from './adminRoutingCommands.js';
import type { AdminStore, AdminStoreSource } from './adminStore.js';

export type { AdminStore, AdminStoreSource } from './adminStore.js';

export const ADMIN_HELP = `Usage: byoi-gateway admin COMMAND [options]

Commands:
  org create NAME                  Create an organization (quote a NAME with spaces)
  org list                         List organizations
  key create --org ID [--name N] [--rate-limit N]
                                   Create an API key; its secret is shown only once
  key list [--org ID]              List API keys
  key revoke ID                    Revoke an API key
  enroll-code create --org ID [--ttl SECONDS]
                                   Create a single-use node enrollment code
                                   (default ttl ${STORE_LIMITS.defaultEnrollmentTtlSeconds} s)
  node list [--org ID]             List nodes
  node revoke ID                   Revoke a node
  node clear ID                    Forget a node's faults and lift its quarantine
  usage [--org ID] [--node ID] [--limit N]
                                   Recent usage, newest first (default limit 50)
  usage --org ID --by model|route|key|node [--since ISO] [--until ISO] [--format json|csv]
                                   Usage grouped: requests, errors, tokens, cost, upstream
                                   cost, and p50/p95 of time to first token and latency
  balance --org ID                 What an organization spent and earned, and how its
                                   earnings are shared: rewards, exchange, mission
  provider add NAME --base-url URL --api-key KEY [--api-key KEY ...]
      --model ID[=UPSTREAM_ID] [--model ...] --price-prompt USD --price-completion USD
      [--cost-prompt USD --cost-completion USD] [--max-concurrent N]
                                   Add an OpenAI-compatible upstream provider; prices are
                                   USD per 1M tokens (price: what orgs pay; cost: what the
                                   provider charges). Default --max-concurrent ${STORE_LIMITS.defaultMaxConcurrent}
  provider list                    List providers (keys masked, with their states)
  provider remove NAME             Remove a provider no routing rule names
  provider disable NAME            Stop routing to a provider
  provider enable NAME             Route to it again
  routing set --org ORG|'*' --model ID|'*' --strategy cheapest|fastest|balanced|pinned
      [--routes A,B,nodes] [--weights A=3,B=1] [--max-price-prompt USD --max-price-completion USD]
                                   Set the rule for an org (or every org) and a model (or
                                   every model). Routes are provider names, nodes or own-nodes;
                                   balanced needs --weights, pinned needs --routes
  routing list [--org ORG]         List routing rules
  routing remove --org ORG --model ID
                                   Remove a routing rule
  routes                           Live routes: health, speed, keys (needs --url)
  compare --org ORG --model ID --prompt TEXT [--max-tokens N] [--key ID]
                                   Send one prompt to every route side by side: status,
                                   time to first token, latency, tokens, cost (needs --url)
  limits set --org ORG [--key KEY_ID] [--rpm N|none] [--tpm N|none]
                                   Requests and tokens per minute for an org or one of
                                   its keys (a flag left out stays as it was)
  limits list [--org ORG]          List rate limits
  quota set --org ORG [--key KEY_ID] [--monthly-usd X|none] [--monthly-tokens N|none]
                                   Monthly spend (USD) and token quota, by UTC month
  quota show --org ORG             This month's quotas: used, reserved, left
  cache set --org ORG --enabled true|false [--ttl SECONDS] [--charge full|none]
                                   The response cache (deterministic requests only);
                                   --charge: what a hit costs the client
  audit [--since ISO] [--limit N] [--format json|csv]
                                   Every admin action and policy change, oldest first
  help                             Show this help

Options:
  --json                           Print JSON (lists as {"data": [...]}) instead of text
  -h, --help                       Show this help
`;

const OPTIONS = {
  org: { type: 'string' },
  node: { type: 'string' },
  name: { type: 'string' },
  'rate-limit': { type: 'string' },
  ttl: { type: 'string' },
  limit: { type: 'string' },
  'base-url': { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  model: { type: 'string', multiple: true },
  'price-prompt': { type: 'string' },
  'price-completion': { type: 'string' },
  'cost-prompt': { type: 'string' },
  'cost-completion': { type: 'string' },
  'max-concurrent': { type: 'string' },
  strategy: { type: 'string' },
  routes: { type: 'string' },
  weights: { type: 'string' },
  'max-price-prompt': { type: 'string' },
  'max-price-completion': { type: 'string' },
  by: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  format: { type: 'string' },
  prompt: { type: 'string' },
  'max-tokens': { type: 'string' },
  key: { type: 'string' },
  rpm: { type: 'string' },
  tpm: { type: 'string' },
  'monthly-usd': { type: 'string' },
  'monthly-tokens': { type: 'string' },
  enabled: { type: 'string' },
  charge: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMANDS: Record<string, Command> = {
  'org create': {
    args: ['NAME'],
    options: [],
    async run(store, [name], _values, print) {
      const org = await store.createOrg(name!);
      print(org, [`Created organization ${org.id} (${org.name}).`]);
    },
  },
  'org list': {
    args: [],
    options: [],
    async run(store, _args, _values, print) {
      const orgs = await store.listOrgs();
      print({ data: orgs }, list('No organizations.', orgTable(orgs)));
    },
  },
  'key create': {
    args: [],
    options: ['org', 'name', 'rate-limit'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org');
      const rate =
        integer('rate-limit', values['rate-limit'], STORE_LIMITS.maxRateLimitPerMinute) ?? null;
      const created = await store.createApiKey(orgId, String(values.name ?? ''), rate);
      print(created, [
        `Created API key ${created.info.id} for ${orgId}.`,
        'Its secret is shown only this once; store it now:',
        created.key,
      ]);
    },
  },
  'key list': {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = values.org as string | undefined;
      await knownOrg(store, orgId);
      const keys = await store.listApiKeys(orgId);
      print({ data: keys }, list('No API keys.', keyTable(keys)));
    },
  },
  'key revoke': {
    args: ['ID'],
    options: [],
    async run(store, [id], _values, print) {
      if (!(await store.revokeApiKey(id!))) throw new Error(`No API key with id '${id}'`);
      print({ id, revoked: true }, [`Revoked API key ${id}.`]);
    },
  },
  'enroll-code create': {
    args: [],
    options: ['org', 'ttl'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org');
      const ttl = integer('ttl', values.ttl, STORE_LIMITS.maxEnrollmentTtlSeconds);
      const { code, expiresAt } = await store.createEnrollmentCode(orgId, ttl);
      print({ code, expiresAt, orgId }, [
        `Enrollment code for ${orgId}, single use, valid until ${expiresAt}:`,
        code,
      ]);
    },
  },
  'node list': {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = values.org as string | undefined;
      await knownOrg(store, orgId);
      const nodes = await store.listNodes(orgId);
      print({ data: nodes }, list('No nodes.', nodeTable(nodes)));
    },
  },
  'node revoke': {
    args: ['ID'],
    options: [],
    async run(store, [id], _values, print) {
      if (!(await store.revokeNode(id!))) throw new Error(`No node with id '${id}'`);
      print({ id, revoked: true }, [`Revoked node ${id}.`]);
    },
  },
  'node clear': {
    args: ['ID'],
    options: [],
    async run(store, [id], _values, print) {
      if (!(await store.clearNodeFaults(id!))) throw new Error(`No node with id '${id}'`);
      print({ id, cleared: true }, [`Cleared the faults of node ${id}; it gets offers again.`]);
    },
  },
  usage: {
    args: [],
    options: ['org', 'node', 'limit', 'by', 'since', 'until', 'format'],
    async run(store, _args, values, print) {
      if (values.by !== undefined)
        return runUsageReport(store, values, print, { json: values.json === true });
      for (const flag of ['since', 'until', 'format']) {
        if (values[flag] !== undefined) throw new AdminUsageError(`--${flag} needs --by`);
      }
      const orgId = values.org as string | undefined;
      const limit = integer('limit', values.limit, STORE_LIMITS.maxUsageLimit) ?? 50;
      await knownOrg(store, orgId);
      const records = await store.listUsage({
        orgId,
        nodeId: values.node as string | undefined,
        limit,
      });
      print({ data: records }, list('No usage.', usageTable(records)));
    },
  },
  balance: {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org');
      const org = await store.getOrg(orgId);
      if (!org) throw new UnknownOrgError(orgId);
      const balances = await store.balances(orgId);
      print({ orgId, ...balances }, balanceLines(org, balances));
    },
  },
  ...ROUTING_COMMANDS,
  ...POLICY_COMMANDS,
};

/** Finds the command named by the first one or two positionals. */
function resolve(positionals: string[]): { name: string; command: Command; args: string[] } {
  for (const words of [2, 1]) {
    const name = positionals.slice(0, words).join(' ');
    const command = COMMANDS[name];
    if (command && positionals.length >= words)
      return { name, command, args: positionals.slice(words) };
  }
  throw new AdminUsageError(`Unknown command '${positionals.join(' ')}'`);
}

/** Exit code and message for an error: 2 for the command line's mistakes, else 1. */
function describe(error: unknown): { code: number; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AdminUsageError) return { code: 2, message };
  if ((error as { code?: unknown })?.code?.toString().startsWith('ERR_PARSE_ARGS'))
    return { code: 2, message };
  if (error instanceof RangeError) return { code: 2, message }; // the store refused a value
  if (error instanceof ConflictError || error instanceof UnknownOrgError)
    return { code: 1, message };
  if (error instanceof ApiError) return { code: error.status === 400 ? 2 : 1, message };
  return { code: 1, message };
}

/**
 * Runs one admin command (`argv` is what follows `byoi-gateway admin`), printing results
 * with `out` and errors with `err`. Resolves to the exit code; it does not throw.
 */
export async function runAdminCommand(
  argv: string[],
  store: AdminStoreSource,
  out: (line: string) => void,
  err: (line: string) => void = out,
): Promise<number> {
  let opened: (AdminStore & { close(): Promise<void> }) | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help || positionals[0] === 'help' || positionals.length === 0) {
      (positionals.length === 0 && !values.help ? err : out)(ADMIN_HELP.trimEnd());
      return positionals.length === 0 && !values.help ? 2 : 0;
    }
    const { name, command, args } = resolve(positionals);
    if (args.length !== command.args.length) {
      const wanted = command.args.length ? command.args.join(' ') : 'no arguments';
      throw new AdminUsageError(
        `'${name}' takes ${wanted}, got ${args.length ? `'${args.join(' ')}'` : 'none'}`,
      );
    }
    const stray = Object.keys(values).find(
      (key) => !['json', 'help', ...command.options].includes(key),
    );
    if (stray) throw new AdminUsageError(`'${name}' has no option --${stray}`);
    const print: Print = (json, text) => {
      if (values.json) out(JSON.stringify(json, null, 2));
      else text.forEach((line) => out(line));
    };
    const target = typeof store === 'function' ? (opened = await store()) : store;
    return (await command.run(target, args, values, print)) ?? 0;
  } catch (error) {
    const { code, message } = describe(error);
    err(`Error: ${message}`);
    if (code === 2) err("Run 'byoi-gateway admin help' for usage.");
    return code;
  } finally {
    await opened
      ?.close()
      .catch((error: unknown) => err(`Error: closing the store failed: ${String(error)}`));
  }
}
