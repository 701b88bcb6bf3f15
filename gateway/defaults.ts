/** The gateway's defaults, shared by the server and the command line. */
import type { ModelPrice } from '../common/protocol.js';

export const DEFAULT_GATEWAY_PORT = 11500;
/** The network fee: 1000 basis points = 10 % of each charge. */
export const DEFAULT_FEE_BASIS_POINTS = 1000;
export const DEFAULT_HEARTBEAT_MS = 5000;
/** The most the gateway pays by default, in USD per 1M tokens. */
export const DEFAULT_MAX_PRICE: ModelPrice = { prompt: 10, completion: 20 };
/** How often nodes get the market figures: every minute. */
export const DEFAULT_MARKET_INTERVAL_MS = 60_000;
