/**
 * Starts the gateway: the OpenAI-compatible client API, node enrollment, the admin API and
 * the node link endpoint, all on one HTTP server, over one store; and the market feed that
 * tells nodes what the network pays.
 */
import { isLoopback } from '../common/address.js';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { ApiError, toApiError } from '../common/openaiErrors.js';
import { BusyError } from './routing/dispatchTypes.js';
import { TooManyGuessesError } from './api/guessThrottle.js';
import { LINK_PATH, type ModelPrice } from '../common/protocol.js';
import { loadOrCreateSigningKey, type SigningKey } from './accounting/signingKey.js';
import { registerAdminRoutes } from './admin/adminRoutes.js';
import { registerConsole } from './console/consoleRoutes.js';
import { ConsoleSessions } from './console/consoleSessions.js';
import { rendererBuildDir } from '../common/node/staticFiles.js';
import { loadOrCreateAdminToken, type AdminToken } from './adminToken.js';
import {
  DEFAULT_FEE_BASIS_POINTS,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MARKET_INTERVAL_MS,
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_CLUSTER_HEARTBEAT_MS,
  MAX_CLIENT_BODY_BYTES,
} from './defaults.js';
import { registerClientApi } from './api/clientApi.js';
import { registerEnrollRoute } from './api/enrollRoute.js';
import { attachLinkServer, type LinkServer } from './link/linkServer.js';
import { silentLogger, type Logger } from '../common/log.js';
import { MarketFeed } from './market/marketFeed.js';
import { applyGatewayConfig, loadGatewayConfig } from './config/gatewayConfig.js';
import type { Clock } from '../common/node/timers.js';
import type { FrameBudgetLimits } from './link/frameBudget.js';
import {
  clientErrorHandler,
  ConnectionCap,
  fastifyTimeouts,
  resolveHttpLimits,
  type HttpLimits,
} from './httpLimits.js';
import { OpenRequests } from './api/openRequests.js';
import { auditedStore } from './policy/auditedStore.js';
import { Policy } from './policy/policy.js';
import { PolicyError } from './policy/policyErrors.js';
import { Router } from './routing/router.js';
import { RoutingControl } from './routingControl.js';
import { openStore } from './store/pgliteStore.js';
import { isPostgresUrl } from './store/databaseUrl.js';
import type { GatewayStore } from './store/types.js';
import { ClusterRegistry, newInstanceId } from './cluster/clusterRegistry.js';
import { registerRelayEndpoint } from './cluster/relayEndpoint.js';
import { sharedHealthCheck } from './cluster/sharedHealth.js';
import { loadSharedIdentity, type SharedIdentity } from './cluster/sharedIdentity.js';

export interface GatewayOptions {
  /** Where the database, signing key and admin token live; null keeps everything in memory. */
  dataDir: string | null;
  /**
   * A PostgreSQL server for the store (`postgres://…`), which several gateways may share;
   * by default the store is PGlite in the data folder. On PostgreSQL the instances share
   * the signing key, the admin token and a relay secret through the database, and relay
   * requests to the instance that holds a suitable node (`cluster/`).
   */
  database?: string;
  /** ms between an instance's cluster heartbeats (PostgreSQL only; default 2000). */
  clusterHeartbeatMs?: number;
  /** The URL other instances reach this one at (default: its own listening URL). */
  relayUrl?: string;
  /** Default 127.0.0.1. Other addresses work, guarded by API keys, with a warning. */
  host?: string;
  /** Default {@link DEFAULT_GATEWAY_PORT}; 0 picks a free port. */
  port?: number;
  /** The admin API's bearer token; by default read from or created in the data folder. */
  adminToken?: string;
  /** The network fee in basis points of each charge (default 1000 = 10 %). */
  feeBasisPoints?: number;
  /** The most the gateway pays a node, USD per 1M tokens (default 10 prompt / 20 completion). */
  maxPrice?: ModelPrice;
  /** WebSocket ping interval; two missed pongs drop a node (default 5000). */
  heartbeatMs?: number;
  /** How long a node has to answer the challenge (default 10 s). */
  handshakeTimeoutMs?: number;
  /** How long a node has to accept or reject a job (default 5 s). */
  offerTimeoutMs?: number;
  /** How often every node gets the market figures, when they changed (default 60 s). */
  marketIntervalMs?: number;
  /** A YAML file of providers and routing rules, applied (idempotently) at start. */
  configFile?: string;
  /** ms to connect to an upstream, or for a node to accept a job (default 5 s). */
  connectTimeoutMs?: number;
  /** ms from a try's start to its first output before failing over (default 30 s). */
  firstTokenTimeoutMs?: number;
  /** ms a node may go silent between outputs of a job before it fails over (default 15 s). */
  stallTimeoutMs?: number;
  /** Faults after which a node gets no offers until an operator clears it (default 5; 0: never). */
  quarantineAfter?: number;
  /** The clock of node job deadlines, queues, link handshakes, heartbeats and frame budgets (default real time; tests move it). */
  clock?: Clock;
  /** Wall-clock time, epoch ms, of rate windows and quota months (default Date.now; tests move it). */
  wallClock?: () => number;
  /** Per-link frame budgets (default: the constants in link/frameBudget.ts). */
  frameLimits?: Partial<FrameBudgetLimits>;
  /** HTTP timeouts and connection caps (default: `DEFAULT_HTTP_LIMITS` in httpLimits.ts). */
  httpLimits?: Partial<HttpLimits>;
  /** How long a request may wait while every route is busy (default 30 s). */
  queueWaitMs?: number;
  /** Requests that may wait per model (default 256). */
  queueLength?: number;
  /** How often each provider's `GET /models` is checked (default 30 s). */
  healthIntervalMs?: number;
  /**
   * The store, already open: the CLI opens it on a thread of its own (`store-worker.js`),
   * off the event loop, while it loads the gateway's modules. The gateway closes it. Without
   * it the gateway opens `database` (or `dataDir`) itself, on this thread (in-process tests).
   */
  store?: GatewayStore;
  /** The renderer build that holds console.html (default: beside out/main). */
  consoleDir?: string;
  /** How long a console session lasts (default 8 hours; tests shorten it). */
  consoleSessionTtlMs?: number;
  logger?: Logger;
}

export interface RunningGateway {
  /** e.g. `http://127.0.0.1:11500` */
  url: string;
  /** `${url}/v1`, for OpenAI clients. */
  baseURL: string;
  /** e.g. `ws://127.0.0.1:11500/v1/node/link` */
  linkUrl: string;
  adminToken: string;
  /** Where the admin token is stored, or null when it was given or is in memory only. */
  adminTokenFile: string | null;
  /** base64 raw Ed25519 key that signs receipts. */
  publicKey: string;
  store: GatewayStore;
  router: Router;
  /** The market figures; `refresh()` sends them to the nodes now instead of at the interval. */
  market: MarketFeed;
  /** Stops accepting, closes node links (1001), lets requests finish, closes the store. */
  close(): Promise<void>;
}

function setErrorHandling(app: FastifyInstance, logger: Logger): void {
  // JSON only: a text/plain body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, request, reply) => {
    const apiError =
      (error as { statusCode?: number }).statusCode === 413
        ? new ApiError(
            413,
            `The request body is larger than ${MAX_CLIENT_BODY_BYTES} bytes, the most the gateway can offer to a node.`,
            'invalid_request_error',
            'request_too_large',
          )
        : toApiError(error);
    if (apiError instanceof BusyError || apiError instanceof TooManyGuessesError)
      void reply.header('retry-after', String(apiError.retryAfterSeconds));
    if (apiError instanceof PolicyError) void reply.headers(apiError.headers);
    if (apiError.status >= 500) {
      logger.error('request failed', {
        url: request.url,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    void reply.status(apiError.status).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(ApiError.unknownUrl(request.method, request.url).toBody());
  });
}

/**
 * The router's own refusals (a malformed URL, a path segment over Fastify's 100 characters)
 * in the OpenAI shape, without echoing the URL back.
 */
function frameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const tooLong = error.statusCode === 414;
  void reply
    .status(tooLong ? 414 : 400)
    .send(
      new ApiError(
        tooLong ? 414 : 400,
        tooLong ? 'A part of the URL is too long' : 'The URL is malformed',
        'invalid_request_error',
        tooLong ? 'url_too_long' : 'bad_url',
      ).toBody(),
    );
}

/** Opens the store and starts listening. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const logger = options.logger ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const feeBasisPoints = options.feeBasisPoints ?? DEFAULT_FEE_BASIS_POINTS;
  if (!Number.isInteger(feeBasisPoints) || feeBasisPoints < 0 || feeBasisPoints > 10_000) {
    throw new RangeError(`feeBasisPoints must be 0 to 10000, got ${feeBasisPoints}`);
  }
  const marketIntervalMs = options.marketIntervalMs ?? DEFAULT_MARKET_INTERVAL_MS;
  // setInterval's limit: a longer delay would fire at once, every millisecond.
  if (
    !Number.isInteger(marketIntervalMs) ||
    marketIntervalMs < 1 ||
    marketIntervalMs > 2 ** 31 - 1
  ) {
    throw new RangeError(`marketIntervalMs must be 1 to ${2 ** 31 - 1}, got ${marketIntervalMs}`);
  }
  const httpLimits = resolveHttpLimits(options.httpLimits);
  const database = options.database ?? options.dataDir;
  const store = options.store ?? (await openStore(database));
  const clustered = isPostgresUrl(database);
  let identity: SharedIdentity;
  try {
    identity = clustered
      ? await loadSharedIdentity(store, options.adminToken)
      : {
          signer: loadOrCreateSigningKey(options.dataDir),
          admin: loadOrCreateAdminToken(options.dataDir, options.adminToken),
          clusterSecret: '',
        };
  } catch (error) {
    await store.close();
    throw error;
  }
  const { signer, admin } = identity;
  const connectTimeoutMs =
    options.connectTimeoutMs ?? options.offerTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const router = new Router({
    maxPrice: options.maxPrice,
    connectTimeoutMs,
    firstTokenTimeoutMs: options.firstTokenTimeoutMs,
    stallTimeoutMs: options.stallTimeoutMs,
    quarantineAfter: options.quarantineAfter,
    faultStore: store,
    clock: options.clock,
    queueWaitMs: options.queueWaitMs,
    queueLength: options.queueLength,
    logger,
  });
  const openRequests = new OpenRequests();
  const policy = new Policy({ store, logger, now: options.wallClock, timers: options.clock });
  const instanceId = newInstanceId();
  const healthIntervalMs = options.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS;
  const routing = new RoutingControl({
    policy,
    store,
    router,
    openRequests,
    signer,
    feeBasisPoints,
    logger,
    connectTimeoutMs,
    healthIntervalMs,
    healthCheck: clustered ? sharedHealthCheck(store, instanceId, healthIntervalMs) : undefined,
  });
  const market = new MarketFeed({
    store,
    sessions: () => router.online(),
    intervalMs: marketIntervalMs,
    logger,
    standing: (nodeId) => router.standingOf(nodeId),
  });

  let app: FastifyInstance | undefined;
  let link: LinkServer | undefined;
  const cluster = clustered
    ? new ClusterRegistry({
        store,
        router,
        instanceId,
        secret: identity.clusterSecret,
        heartbeatMs: options.clusterHeartbeatMs ?? DEFAULT_CLUSTER_HEARTBEAT_MS,
        logger,
        openRequests,
      })
    : null;
  try {
    if (options.configFile) {
      const applied = await applyGatewayConfig(
        auditedStore(store, 'config-file'),
        loadGatewayConfig(options.configFile, process.env),
      );
      logger.info('config applied', { file: options.configFile, ...applied });
    }
    await routing.reload();
    await router.standing.load();
    await policy.start();
    app = Fastify({
      logger: false,
      bodyLimit: MAX_CLIENT_BODY_BYTES,
      forceCloseConnections: true,
      clientErrorHandler,
      frameworkErrors: frameworkError,
      ...fastifyTimeouts(httpLimits),
    });
    const connections = new ConnectionCap(httpLimits, logger);
    connections.attach(app.server);
    setErrorHandling(app, logger);
    app.get('/healthz', async () => ({
      status: 'ok',
      nodes: router.online().length,
      routes: router.routes().length,
    }));
    registerEnrollRoute(app, store, signer.publicKey);
    if (cluster) {
      registerRelayEndpoint(app, {
        store,
        router,
        signer,
        feeBasisPoints,
        logger,
        secret: identity.clusterSecret,
        connections,
      });
    }
    const sessions = new ConsoleSessions(
      admin.token,
      options.consoleSessionTtlMs,
      options.wallClock,
    );
    const gate = registerAdminRoutes(app, store, admin.token, routing.live(), sessions);
    registerConsole(app, { dir: options.consoleDir ?? rendererBuildDir(), gate, logger });
    registerClientApi(app, {
      store,
      router,
      signer,
      feeBasisPoints,
      market,
      logger,
      openRequests,
      policy,
      connections,
      playgroundKey: (token) => sessions.playgroundKey(token),
    });
    link = attachLinkServer(app.server, {
      store,
      router,
      gatewayPublicKey: signer.publicKey,
      signer,
      heartbeatMs,
      feeBasisPoints,
      market,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      frameLimits: options.frameLimits,
      clock: options.clock,
      logger,
    });
    await app.listen({ host, port: options.port ?? DEFAULT_GATEWAY_PORT });
    await cluster?.start(options.relayUrl ?? listeningUrl(app, host));
  } catch (error) {
    await cluster?.close();
    policy.close();
    routing.close();
    await market.close();
    await link?.close();
    await app?.close();
    await store.close();
    throw error;
  }
  return running(app, link, {
    host,
    logger,
    admin,
    signer,
    store,
    router,
    market,
    routing,
    policy,
    cluster,
  });
}

/** `http://host:port` of a listening app. */
function listeningUrl(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

interface Parts {
  host: string;
  logger: Logger;
  admin: AdminToken;
  signer: SigningKey;
  store: GatewayStore;
  router: Router;
  market: MarketFeed;
  routing: RoutingControl;
  policy: Policy;
  cluster: ClusterRegistry | null;
}

/** The handle of a listening gateway. */
function running(app: FastifyInstance, link: LinkServer, parts: Parts): RunningGateway {
  const { host, logger, admin, signer, store, router, market, routing, policy, cluster } = parts;
  if (!isLoopback(host)) {
    logger.warn('listening beyond this machine; API keys and the admin token guard it', { host });
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const url = `http://${origin}`;
  logger.info('gateway listening', { url, adminTokenFile: admin.file, signingKey: signer.path });

  let closing: Promise<void> | undefined;
  return {
    url,
    baseURL: `${url}/v1`,
    linkUrl: `ws://${origin}${LINK_PATH}`,
    adminToken: admin.token,
    adminTokenFile: admin.file,
    publicKey: signer.publicKey,
    store,
    router,
    market,
    close: () =>
      (closing ??= (async () => {
        await cluster?.close();
        policy.close();
        routing.close();
        await market.close();
        await link.close();
        await app.close();
        await store.close();
        logger.info('gateway stopped');
      })()),
  };
}
