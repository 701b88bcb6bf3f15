/**
 * The figures the dashboard shows, from reconciled entries. Sums stay in integer nano-USD and
 * become USD only here, at the edge, so no float error builds up over many jobs.
 */
import type {
  Discrepancy,
  EarningsBalances,
  EarningsPoint,
  EarningsSummary,
} from '../../../common/nodeApi.js';
import type { LedgerEntry } from './reconcile.js';
import { lastLocalDays, localDayKey } from './localDays.js';

const NANOS_PER_USD = 1_000_000_000;

/** Integer nano-USD to USD. */
export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

const within = (entry: LedgerEntry, span: { start: number; end: number }) =>
  entry.time >= span.start && entry.time < span.end;

/** Pending, settled and the windowed totals, in USD. */
export function balancesOf(entries: readonly LedgerEntry[], now: Date): EarningsBalances {
  const windows = { today: lastLocalDays(now, 1), week: lastLocalDays(now, 7) };
  const month = lastLocalDays(now, 30);
  let pending = 0;
  let settled = 0;
  let today = 0;
  let last7Days = 0;
  let last30Days = 0;
  let lifetime = 0;
  for (const entry of entries) {
    if (entry.settledNanos === null) pending += entry.amountNanos;
    else settled += entry.settledNanos;
    lifetime += entry.amountNanos;
    if (within(entry, windows.today)) today += entry.amountNanos;
    if (within(entry, windows.week)) last7Days += entry.amountNanos;
    if (within(entry, month)) last30Days += entry.amountNanos;
  }
  return {
    pending: nanosToUsd(pending),
    settled: nanosToUsd(settled),
    today: nanosToUsd(today),
    last7Days: nanosToUsd(last7Days),
    last30Days: nanosToUsd(last30Days),
    lifetime: nanosToUsd(lifetime),
  };
}

interface Tally {
  nanos: number;
  jobs: number;
  promptTokens: number;
  completionTokens: number;
}

function tallyBy(entries: readonly LedgerEntry[], key: (entry: LedgerEntry) => string) {
  const tallies = new Map<string, Tally>();
  for (const entry of entries) {
    const k = key(entry);
    const tally = tallies.get(k) ?? { nanos: 0, jobs: 0, promptTokens: 0, completionTokens: 0 };
    tally.nanos += entry.amountNanos;
    tally.jobs += 1;
    tally.promptTokens += entry.promptTokens;
    tally.completionTokens += entry.completionTokens;
    tallies.set(k, tally);
  }
  return [...tallies].map(([k, tally]): EarningsPoint & { nanos: number } => ({
    key: k,
    amount: nanosToUsd(tally.nanos),
    jobs: tally.jobs,
    promptTokens: tally.promptTokens,
    completionTokens: tally.completionTokens,
    nanos: tally.nanos,
  }));
}

const withoutNanos = ({ nanos: _nanos, ...point }: EarningsPoint & { nanos: number }) => point;

/** Newest first; times that do not parse go last. Ties by job id, for a stable order. */
function byNewest(a: { time: number; jobId: string }, b: { time: number; jobId: string }) {
  const ta = Number.isNaN(a.time) ? -Infinity : a.time;
  const tb = Number.isNaN(b.time) ? -Infinity : b.time;
  if (ta !== tb) return tb - ta;
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
}

/**
 * Receipts that disagree with local metering, and pending jobs the gateway does not know,
 * newest first (by the receipt's time, else the job's).
 */
function discrepanciesOf(entries: readonly LedgerEntry[]): Discrepancy[] {
  const found: (Discrepancy & { time: number })[] = [];
  for (const { jobId, model, discrepancy, receipt, at: servedAt } of entries) {
    if (discrepancy === null) continue;
    const at = receipt?.receipt.issuedAt ?? servedAt;
    found.push({ jobId, model, detail: discrepancy, at, time: Date.parse(at) });
  }
  return found.sort(byNewest).map(({ time: _time, ...discrepancy }) => discrepancy);
}

/** Each settled credit split as it was when it settled; the remainder of rounding goes to mission. */
function splitOf(entries: readonly LedgerEntry[]): EarningsSummary['split'] {
  let rewards = 0;
  let exchange = 0;
  let mission = 0;
  for (const { receipt } of entries) {
    if (!receipt) continue;
    const credited = receipt.receipt.creditedNanos;
    const r = Math.floor((credited * receipt.split.rewards) / 100);
    const e = Math.floor((credited * receipt.split.exchange) / 100);
    rewards += r;
    exchange += e;
    mission += credited - r - e;
  }
  return {
    rewards: nanosToUsd(rewards),
    exchange: nanosToUsd(exchange),
    mission: nanosToUsd(mission),
  };
}

/** Everything `getEarnings` returns. */
export function summaryOf(entries: readonly LedgerEntry[], now: Date): EarningsSummary {
  const month = lastLocalDays(now, 30);
  const perDay = tallyBy(
    entries.filter((entry) => within(entry, month)),
    (entry) => localDayKey(entry.time),
  )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(withoutNanos);
  const perModel = tallyBy(entries, (entry) => entry.model)
    .sort((a, b) => b.nanos - a.nanos || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(withoutNanos);
  return {
    ...balancesOf(entries, now),
    perDay,
    perModel,
    discrepancies: discrepanciesOf(entries),
    split: splitOf(entries),
  };
}
