/**
 * What serving a model might earn per hour, what the electricity costs, and the net: the
 * figures the provider weighs a price against.
 */
import type { ModelPrice } from '../../../common/protocol.js';
import type { ElectricitySettings } from '../../../common/settings.js';

export interface HourlyEstimate {
  /** USD per hour at full use; null before the model's speed is measured. */
  earningsPerHour: number | null;
  /** USD per hour of electricity while serving; null when no price or draw is known. */
  electricityPerHour: number | null;
  /** Earnings minus electricity; null when either is unknown. */
  netPerHour: number | null;
}

/**
 * One stream at the measured completion speed, paid the completion price less the network
 * fee. Prompt tokens are left out: they vary too much by client to promise anything.
 */
export function estimateHourly(options: {
  price: ModelPrice;
  tokensPerSecond: number | null;
  feeBasisPoints: number | null;
  electricity: ElectricitySettings;
  /** The GPU's measured draw, used when no draw is declared. */
  measuredWatts: number | null;
}): HourlyEstimate {
  const { price, tokensPerSecond, feeBasisPoints, electricity } = options;
  const earningsPerHour =
    tokensPerSecond === null
      ? null
      : ((tokensPerSecond * 3600 * price.completion) / 1e6) * (1 - (feeBasisPoints ?? 0) / 10_000);
  const watts = electricity.watts ?? options.measuredWatts;
  const electricityPerHour =
    electricity.pricePerKwh > 0 && watts !== null ? (watts / 1000) * electricity.pricePerKwh : null;
  const netPerHour =
    earningsPerHour === null || electricityPerHour === null
      ? null
      : earningsPerHour - electricityPerHour;
  return { earningsPerHour, electricityPerHour, netPerHour };
}

/** Whether every model whose net is known loses money (none known: not negative). */
export function allNetNegative(estimates: readonly HourlyEstimate[]): boolean {
  const known = estimates.filter((estimate) => estimate.netPerHour !== null);
  return known.length > 0 && known.every((estimate) => estimate.netPerHour! < 0);
}
