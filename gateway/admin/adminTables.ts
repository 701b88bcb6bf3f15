/**
 * Text output of the admin commands about routing: providers, rules, usage reports (as
 * aligned tables or CSV), live routes and route comparisons.
 */
import type { KeyState } from '../routing/route.js';
import type { AuditEntry } from '../store/policyTypes.js';
import type { RoutingRule, UsageGroupBy, UsageReportRow } from '../store/types.js';
import { formatUsd, table } from './adminFormat.js';
import type { CompareRow, ProviderView, RouteView } from '../../common/adminRecords.js';

/** USD per 1M tokens, prompt/completion. */
const price = (p: { prompt: number; completion: number } | null): string =>
  p ? `${p.prompt}/${p.completion}` : '-';

const ms = (value: number | null): string => (value === null ? '-' : `${Math.round(value)} ms`);

/** `sk-…3456 active`, with the reason and rest for keys that are not. */
export function keyLine(key: KeyState): string {
  const why = [key.reason, key.restingUntil && `until ${key.restingUntil}`].filter(Boolean);
  return `${key.masked} ${key.state}${why.length ? ` (${why.join(', ')})` : ''}`;
}

export const providerTable = (providers: ProviderView[]): string[] =>
  table(
    ['NAME', 'BASE URL', 'MODELS', 'PRICE', 'COST', 'MAX', 'STATUS', 'KEYS'],
    providers.map((p) => [
      p.name,
      p.baseUrl,
      Object.entries(p.models)
        .map(([id, upstream]) => (id === upstream ? id : `${id}=${upstream}`))
        .join(','),
      price(p.price),
      price(p.cost),
      String(p.maxConcurrent),
      p.enabled ? 'enabled' : 'disabled',
      p.keys.map(keyLine).join(', '),
    ]),
  );

export const ruleTable = (rules: RoutingRule[]): string[] =>
  table(
    ['ORG', 'MODEL', 'STRATEGY', 'ROUTES', 'WEIGHTS', 'MAX PRICE', 'UPDATED'],
    rules.map((r) => [
      r.orgId,
      r.model,
      r.strategy,
      r.routes?.join(',') ?? 'all',
      r.weights
        ? Object.entries(r.weights)
            .map(([name, weight]) => `${name}=${weight}`)
            .join(',')
        : '-',
      price(r.maxPrice),
      r.updatedAt,
    ]),
  );

const REPORT_COLUMNS = [
  'REQUESTS',
  'ERRORS',
  'PROMPT',
  'COMPLETION',
  'COST',
  'UPSTREAM COST',
  'TTFT P50',
  'TTFT P95',
  'LATENCY P50',
  'LATENCY P95',
];

export const reportTable = (by: UsageGroupBy, rows: UsageReportRow[]): string[] =>
  table(
    [by.toUpperCase(), ...REPORT_COLUMNS],
    rows.map((r) => [
      r.group,
      String(r.requests),
      String(r.errors),
      String(r.promptTokens),
      String(r.completionTokens),
      formatUsd(r.costNanos),
      formatUsd(r.upstreamCostNanos),
      ms(r.ttftP50Ms),
      ms(r.ttftP95Ms),
      ms(r.latencyP50Ms),
      ms(r.latencyP95Ms),
    ]),
  );

/** A CSV field, quoted when it has a comma, a quote or a line break. */
const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** The report as CSV with a header row; money in USD (exact), times in ms, empty for none. */
export function reportCsv(by: UsageGroupBy, rows: UsageReportRow[]): string[] {
  const header = [
    by,
    'requests',
    'errors',
    'prompt_tokens',
    'completion_tokens',
    'cost_usd',
    'upstream_cost_usd',
    'ttft_p50_ms',
    'ttft_p95_ms',
    'latency_p50_ms',
    'latency_p95_ms',
  ];
  const number = (value: number | null): string => (value === null ? '' : String(value));
  const dollars = (nanos: number): string => formatUsd(nanos).replace('$', '');
  return [
    header.join(','),
    ...rows.map((r) =>
      [
        csvField(r.group),
        String(r.requests),
        String(r.errors),
        String(r.promptTokens),
        String(r.completionTokens),
        dollars(r.costNanos),
        dollars(r.upstreamCostNanos),
        number(r.ttftP50Ms),
        number(r.ttftP95Ms),
        number(r.latencyP50Ms),
        number(r.latencyP95Ms),
      ].join(','),
    ),
  ];
}

export const routeTable = (routes: RouteView[]): string[] =>
  table(
    [
      'ROUTE',
      'KIND',
      'MODELS',
      'STATE',
      'TTFT',
      'LATENCY',
      'TOK/S',
      'IN FLIGHT',
      'KEYS',
      'LAST ERROR',
    ],
    routes.map((r) => [
      r.id,
      r.kind,
      r.models.join(',') || '-',
      r.state === 'open' && r.retryAt ? `open until ${r.retryAt}` : r.state,
      ms(r.timeToFirstTokenMs),
      ms(r.latencyMs),
      r.tokensPerSecond === null ? '-' : r.tokensPerSecond.toFixed(1),
      String(r.inFlight),
      r.keys.map(keyLine).join(', ') || '-',
      r.lastError ? `${r.lastError}${r.lastErrorAt ? ` (${r.lastErrorAt})` : ''}` : '-',
    ]),
  );

export const compareTable = (rows: CompareRow[]): string[] =>
  table(
    ['ROUTE', 'STATUS', 'TTFT', 'LATENCY', 'TOKENS', 'COST', 'ERROR'],
    rows.map((r) => [
      r.nodeId ? `${r.route} (${r.nodeId})` : r.route,
      String(r.status),
      ms(r.timeToFirstTokenMs),
      ms(r.latencyMs),
      `${r.promptTokens}+${r.completionTokens}`,
      formatUsd(r.costNanos),
      r.error ?? '-',
    ]),
  );

/** The audit log as CSV: before and after as JSON. */
export function auditCsv(entries: AuditEntry[]): string[] {
  const json = (value: unknown): string => (value === null ? '' : JSON.stringify(value));
  return [
    'seq,at,actor,action,target,before,after',
    ...entries.map((e) =>
      [String(e.seq), e.at, e.actor, e.action, e.target, json(e.before), json(e.after)]
        .map(csvField)
        .join(','),
    ),
  ];
}
