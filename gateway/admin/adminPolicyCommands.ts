/**
 * Admin commands about policy: rate limits, quotas, the response cache and the audit log.
 * `set` changes only the flags it is given (`none` clears one); the rest stay as they were.
 */
import { monthOf } from '../policy/policy.js';
import { MAX_CACHE_TTL_SECONDS, DEFAULT_CACHE_TTL_SECONDS } from '../../common/adminLimits.js';
import { MAX_QUOTA, MAX_RATE } from '../../common/adminLimits.js';
import { scopeName, type PolicyScope } from '../store/policyTypes.js';
import {
  AdminUsageError,
  integer,
  knownOrg,
  list,
  required,
  single,
  type Command,
  type Values,
} from './adminCommand.js';
import { formatUsd, table } from './adminFormat.js';
import { MAX_QUOTA_USD } from '../../common/adminApi.js';
import { isoTimeSchema } from '../../common/adminApi.js';
import { auditCsv } from './adminTables.js';

/** A flag's new value: undefined when not given (kept), null for `none` (cleared). */
function limitFlag(values: Values, flag: string, max: number): number | null | undefined {
  const value = single(values, flag);
  if (value === 'none') return null;
  return integer(flag, value, max);
}

function usdFlag(values: Values, flag: string): number | null | undefined {
  const value = single(values, flag);
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > MAX_QUOTA_USD)
    throw new AdminUsageError(
      `--${flag} must be a USD amount from 0 to ${MAX_QUOTA_USD} (or none), got '${value}'`,
    );
  return Math.round(Number(value) * 1e9);
}

function tokensFlag(values: Values, flag: string): number | null | undefined {
  const value = single(values, flag);
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!/^\d+$/.test(value) || Number(value) > MAX_QUOTA)
    throw new AdminUsageError(
      `--${flag} must be a whole number from 0 to ${MAX_QUOTA} (or none), got '${value}'`,
    );
  return Number(value);
}

function scopeOf(values: Values): PolicyScope {
  const keyId = single(values, 'key');
  if (keyId === '') throw new AdminUsageError('--key needs a key ID');
  return { orgId: required(values, 'org'), keyId: keyId ?? null };
}

const shown = (value: number | null): string => (value === null ? '-' : String(value));
const sameScope = (scope: PolicyScope) => (entry: PolicyScope) =>
  scopeName(entry) === scopeName(scope);

export const POLICY_COMMANDS: Record<string, Command> = {
  'limits set': {
    args: [],
    options: ['org', 'key', 'rpm', 'tpm'],
    async run(store, _args, values, print) {
      const scope = scopeOf(values);
      const rpm = limitFlag(values, 'rpm', MAX_RATE);
      const tpm = limitFlag(values, 'tpm', MAX_RATE);
      if (rpm === undefined && tpm === undefined)
        throw new AdminUsageError('Give --rpm N and/or --tpm N (none clears one)');
      await knownOrg(store, scope.orgId);
      const current = (await store.listRateLimits(scope.orgId)).find(sameScope(scope));
      const set = await store.setRateLimit({
        ...scope,
        rpm: rpm === undefined ? (current?.rpm ?? null) : rpm,
        tpm: tpm === undefined ? (current?.tpm ?? null) : tpm,
      });
      const name = scopeName(scope);
      print(
        set ?? { ...scope, cleared: true },
        set
          ? [`Set the limits of ${name}: rpm ${shown(set.rpm)}, tpm ${shown(set.tpm)}.`]
          : [`Cleared the limits of ${name}.`],
      );
    },
  },
  'limits list': {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = single(values, 'org');
      await knownOrg(store, orgId);
      const limits = await store.listRateLimits(orgId);
      print(
        { data: limits },
        list(
          'No rate limits.',
          table(
            ['SCOPE', 'RPM', 'TPM', 'UPDATED'],
            limits.map((l) => [scopeName(l), shown(l.rpm), shown(l.tpm), l.updatedAt]),
          ),
        ),
      );
    },
  },
  'quota set': {
    args: [],
    options: ['org', 'key', 'monthly-usd', 'monthly-tokens'],
    async run(store, _args, values, print) {
      const scope = scopeOf(values);
      const nanos = usdFlag(values, 'monthly-usd');
      const tokens = tokensFlag(values, 'monthly-tokens');
      if (nanos === undefined && tokens === undefined)
        throw new AdminUsageError(
          'Give --monthly-usd X and/or --monthly-tokens N (none clears one)',
        );
      await knownOrg(store, scope.orgId);
      const current = (await store.quotaStatus(scope.orgId, monthOf(Date.now()))).find(
        sameScope(scope),
      );
      const set = await store.setQuota({
        ...scope,
        monthlyNanos: nanos === undefined ? (current?.monthlyNanos ?? null) : nanos,
        monthlyTokens: tokens === undefined ? (current?.monthlyTokens ?? null) : tokens,
      });
      const name = scopeName(scope);
      const usd = set?.monthlyNanos == null ? '-' : formatUsd(set.monthlyNanos);
      print(
        set ?? { ...scope, cleared: true },
        set
          ? [`Set the monthly quota of ${name}: ${usd}, ${shown(set.monthlyTokens)} tokens.`]
          : [`Cleared the quota of ${name}.`],
      );
    },
  },
  'quota show': {
    args: [],
    options: ['org'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org');
      await knownOrg(store, orgId);
      const quotas = await store.quotaStatus(orgId, monthOf(Date.now()));
      const left = (limit: number | null, used: number) =>
        limit === null ? null : Math.max(0, limit - used);
      const usd = (nanos: number | null) => (nanos === null ? '-' : formatUsd(nanos));
      const rows = quotas.map((q) => ({
        ...q,
        leftNanos: left(q.monthlyNanos, q.spentNanos + q.reservedNanos),
        leftTokens: left(q.monthlyTokens, q.spentTokens + q.reservedTokens),
      }));
      print(
        { data: rows },
        list(
          `No quotas for ${orgId}.`,
          table(
            [
              'SCOPE',
              'MONTH',
              'USD LIMIT',
              'USED',
              'RESERVED',
              'LEFT',
              'TOKENS',
              'USED',
              'RESERVED',
              'LEFT',
            ],
            rows.map((q) => [
              scopeName(q),
              q.month,
              usd(q.monthlyNanos),
              formatUsd(q.spentNanos),
              formatUsd(q.reservedNanos),
              usd(q.leftNanos),
              shown(q.monthlyTokens),
              String(q.spentTokens),
              String(q.reservedTokens),
              shown(q.leftTokens),
            ]),
          ),
        ),
      );
    },
  },
  'cache set': {
    args: [],
    options: ['org', 'enabled', 'ttl', 'charge'],
    async run(store, _args, values, print) {
      const orgId = required(values, 'org');
      const enabled = single(values, 'enabled');
      if (enabled !== 'true' && enabled !== 'false')
        throw new AdminUsageError(`--enabled must be true or false, got '${enabled ?? ''}'`);
      const charge = single(values, 'charge');
      if (charge !== undefined && charge !== 'full' && charge !== 'none')
        throw new AdminUsageError(`--charge must be full or none, got '${charge}'`);
      const ttl = integer('ttl', values.ttl, MAX_CACHE_TTL_SECONDS);
      await knownOrg(store, orgId);
      const current = (await store.listCachePolicies(orgId))[0];
      const set = await store.setCachePolicy({
        orgId,
        enabled: enabled === 'true',
        ttlSeconds: ttl ?? current?.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS,
        charge: charge ?? current?.charge ?? 'full',
      });
      print(set, [
        set.enabled
          ? `The cache of ${orgId} is on: ttl ${set.ttlSeconds} s, a hit is charged ${set.charge === 'full' ? 'in full' : 'nothing'}.`
          : `The cache of ${orgId} is off.`,
      ]);
    },
  },
  audit: {
    args: [],
    options: ['since', 'limit', 'format'],
    async run(store, _args, values, print) {
      const since = single(values, 'since');
      if (since !== undefined && !isoTimeSchema.safeParse(since).success)
        throw new AdminUsageError(`--since must be an ISO date or time, got '${since}'`);
      const format = single(values, 'format') ?? (values.json ? 'json' : 'text');
      if (!['json', 'csv', 'text'].includes(format) || (values.json && format !== 'json'))
        throw new AdminUsageError(
          `--format must be json or csv (not with --json), got '${format}'`,
        );
      const limit = integer('limit', values.limit, 100_000);
      const entries = await store.listAudit({ since, limit });
      const json = (value: unknown) => (value === null ? '-' : JSON.stringify(value));
      const text =
        format === 'csv'
          ? auditCsv(entries)
          : format === 'json'
            ? [JSON.stringify({ data: entries }, null, 2)]
            : list(
                'The audit log is empty.',
                table(
                  ['AT', 'ACTOR', 'ACTION', 'TARGET', 'BEFORE', 'AFTER'],
                  entries.map((e) => [
                    e.at,
                    e.actor,
                    e.action,
                    e.target,
                    json(e.before),
                    json(e.after),
                  ]),
                ),
              );
      print({ data: entries }, text);
    },
  },
};
