/**
 * What the network pays, per model: quartiles of the prices of the jobs of the last
 * {@link MARKET_WINDOW_MS}, one sample per job. A model with no recent job falls back to the
 * prices its online nodes announce now, one sample per node, so a node can price a model
 * before anyone has paid for it.
 */
import type { MarketModel, ModelPrice, PriceQuartiles } from '../../common/protocol.js';
import type { NodeSession } from '../link/nodeSession.js';
import type { GatewayStore } from '../store/types.js';

/** How far back the job prices go: 7 days. */
export const MARKET_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
/** The most models one `market` frame carries (the protocol's limit). */
export const MAX_MARKET_MODELS = 1024;

/** The market figures at one moment. */
export interface MarketSnapshot {
  /** ISO time the figures were computed. */
  at: string;
  /** Sorted by model id. */
  models: MarketModel[];
}

/**
 * The `p`-quantile (0–1) of `sorted` (ascending, not empty) with linear interpolation, as
 * Postgres' `percentile_cont` computes it, so both sources of figures agree.
 */
export function percentileCont(sorted: readonly number[], p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/** p25, median and p75 of `values` (not empty). */
export function quartiles(values: readonly number[]): PriceQuartiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p25: percentileCont(sorted, 0.25),
    median: percentileCont(sorted, 0.5),
    p75: percentileCont(sorted, 0.75),
  };
}

/** Per model, the quartiles of the prices `sessions` announce now; one sample per session. */
export function announcedPrices(sessions: readonly NodeSession[]): MarketModel[] {
  const prices = new Map<string, ModelPrice[]>();
  for (const session of sessions) {
    for (const model of session.announcedModels()) {
      prices.set(model.id, [...(prices.get(model.id) ?? []), model.price]);
    }
  }
  return [...prices].map(([id, list]) => ({
    id,
    prompt: quartiles(list.map((price) => price.prompt)),
    completion: quartiles(list.map((price) => price.completion)),
    samples: list.length,
  }));
}

/** Recent job figures where there are any, else announced prices; sorted by id and capped. */
export function mergeMarket(recent: MarketModel[], announced: MarketModel[]): MarketModel[] {
  const byId = new Map<string, MarketModel>();
  for (const model of announced) byId.set(model.id, model);
  for (const model of recent) byId.set(model.id, model);
  return [...byId.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, MAX_MARKET_MODELS);
}

/** Computes the market now from the ledger and the online sessions (paused ones included). */
export async function computeMarket(
  store: GatewayStore,
  sessions: readonly NodeSession[],
  now: Date,
): Promise<MarketSnapshot> {
  const recent = await store.recentPrices(new Date(now.getTime() - MARKET_WINDOW_MS));
  return { at: now.toISOString(), models: mergeMarket(recent, announcedPrices(sessions)) };
}
