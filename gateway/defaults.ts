/** The gateway's defaults, shared by the server and the command line. */
import { MAX_FRAME_BYTES, type ModelPrice } from '../common/protocol.js';

export const DEFAULT_GATEWAY_PORT = 11500;
/** The network fee: 1000 basis points = 10 % of each charge. */
export const DEFAULT_FEE_BASIS_POINTS = 1000;
export const DEFAULT_HEARTBEAT_MS = 5000;
/** The most the gateway pays by default, in USD per 1M tokens. */
export const DEFAULT_MAX_PRICE: ModelPrice = { prompt: 10, completion: 20 };
/** How often nodes get the market figures: every minute. */
export const DEFAULT_MARKET_INTERVAL_MS = 60_000;
/** How often each upstream provider's free `GET /models` is checked: every 30 s. */
export const DEFAULT_HEALTH_INTERVAL_MS = 30_000;
/** ms to connect to an upstream, or for a node to accept an offer. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** ms from a try's start to its first output before failing over. */
export const DEFAULT_FIRST_TOKEN_TIMEOUT_MS = 30_000;
/** ms a node may go silent between two outputs of a job before the job moves to another node. */
export const DEFAULT_STALL_TIMEOUT_MS = 15_000;
/** Faults (over-reports, stalls, silent offers) after which a node gets no offers until cleared. */
export const DEFAULT_QUARANTINE_AFTER = 5;
/** How long a request may wait while every allowed route is busy. */
export const DEFAULT_QUEUE_WAIT_MS = 30_000;
/** Requests that may wait per model. */
export const DEFAULT_QUEUE_LENGTH = 256;
/**
 * The largest client request body. A request must fit in one job offer to a node, with room
 * left for the offer's envelope and a continuation (at most 256 K characters of streamed
 * text, up to 768 KiB in UTF-8): 1 MiB under the link's frame limit. Larger is a 413.
 */
export const MAX_CLIENT_BODY_BYTES = MAX_FRAME_BYTES - 1024 * 1024;

/** ms between a clustered instance's heartbeats; 3 missed ones and the others ignore it. */
export const DEFAULT_CLUSTER_HEARTBEAT_MS = 2000;
