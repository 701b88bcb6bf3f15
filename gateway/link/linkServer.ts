/**
 * The node link server: a WebSocket endpoint at {@link LINK_PATH} on the gateway's HTTP
 * server. Nodes dial out to it. Each connection gets a fresh challenge, must answer with a
 * signed `hello` in time, and then becomes a {@link NodeSession} that the router can use.
 * A malformed, oversized or unexpected frame closes that one link with a reason, and so does
 * a flood of frames over the link's hard cap (see frameBudget.ts).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  CloseCode,
  GATEWAY_FEATURE_RECEIPTS_REQUEST,
  LINK_PATH,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type GatewayFrame,
  type NodeFrame,
} from '../../common/protocol.js';
import type { Logger } from '../../common/log.js';
import { realClock, unrefTimeout, type Clock } from '../../common/node/timers.js';
import { answerReceiptsRequest } from '../accounting/receiptResend.js';
import type { ReceiptSigner } from '../accounting/signingKey.js';
import { GuessThrottle, TooManyGuessesError } from '../api/guessThrottle.js';
import type { MarketFeed } from '../market/marketFeed.js';
import type { Router } from '../routing/router.js';
import type { GatewayStore } from '../store/types.js';
import { frameBudgetLimits, TokenBucket, type FrameBudgetLimits } from './frameBudget.js';
import { closeReason, parseNodeFrame } from './frames.js';
import { checkHello, newNonce } from './handshake.js';
import { NodeSession } from './nodeSession.js';

export interface LinkServerOptions {
  store: GatewayStore;
  router: Router;
  /** base64 raw Ed25519 key that signs receipts, sent in every challenge. */
  gatewayPublicKey: string;
  /**
   * Signs the receipts sent again on a node's `receipts.request`. Without it, `welcome` does
   * not offer that feature, and a node never sends the frame.
   */
  signer?: ReceiptSigner;
  heartbeatMs: number;
  /** The network fee, told to each node in `welcome` so it can foresee its credit. */
  feeBasisPoints: number;
  /** Sends each node the market after its first `announce`. */
  market: MarketFeed;
  /** How long a node has to answer the challenge (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Per-link frame budgets (default: the constants in frameBudget.ts). */
  frameLimits?: Partial<FrameBudgetLimits>;
  /** The clock of handshakes, heartbeats and frame budgets (default real time; tests move it). */
  clock?: Clock;
  logger: Logger;
}

export interface LinkServer {
  /** Refuses new links, closes every open one with 1001, and waits (briefly) for them. */
  close(): Promise<void>;
}

/** How long `close()` waits for nodes to answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 2000;
/** Frames a node may send between its hello and our welcome. */
const MAX_QUEUED = 16;

/** Attaches the link endpoint to `server`'s `upgrade` event. */
export function attachLinkServer(server: Server, options: LinkServerOptions): LinkServer {
  const { logger } = options;
  // Twice the frame limit, so that a frame just over it is refused with FrameTooLarge (4005);
  // ws itself closes anything larger still with 1009.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_FRAME_BYTES });
  const sockets = new Set<WebSocket>();
  // Failed handshakes (unknown keys, bad signatures) per address: past the limit, the
  // upgrade itself is refused with 429 until the window is over.
  const guesses = new GuessThrottle('handshakes');
  let closing = false;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '').split('?')[0];
    const address = request.socket.remoteAddress ?? '';
    if (path !== LINK_PATH || closing) {
      const status = closing ? '503 Service Unavailable' : '404 Not Found';
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    try {
      guesses.check(address);
    } catch (error) {
      const retry = error instanceof TooManyGuessesError ? error.retryAfterSeconds : 60;
      socket.end(
        `HTTP/1.1 429 Too Many Requests\r\nretry-after: ${retry}\r\nconnection: close\r\n` +
          'content-length: 0\r\n\r\n',
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      ws.once('close', () => sockets.delete(ws));
      handleConnection(ws, options, () => guesses.miss(address));
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    async close() {
      closing = true; // new upgrades get a 503 from here on
      const closed = [...sockets].map(
        (ws) => new Promise<void>((resolve) => ws.once('close', () => resolve())),
      );
      options.router.close();
      for (const ws of sockets) {
        if (ws.readyState === ws.OPEN) ws.close(CloseCode.GoingAway, 'gateway shutting down');
      }
      const grace = setTimeout(() => sockets.forEach((ws) => ws.terminate()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.off('upgrade', onUpgrade);
      logger.debug('link server closed');
    },
  };
}

/** Runs one connection: challenge, hello, then the session's frames. */
function handleConnection(
  ws: WebSocket,
  options: LinkServerOptions,
  /** Counts a failed handshake against the peer's address. */
  failedGuess: () => void,
): void {
  const { logger, store, router, market, signer } = options;
  const nonce = newNonce();
  let state: 'hello' | 'verifying' | 'online' | 'closed' = 'hello';
  let session: NodeSession | undefined;
  const queued: NodeFrame[] = [];
  const limits = frameBudgetLimits(options.frameLimits);
  const clock = options.clock ?? realClock;
  const allFrames = new TokenBucket(limits.linkBurst, limits.linkPerSecond, () => clock.now());

  const send = (frame: GatewayFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const shut = (code: CloseCode, reason: string) => {
    logger.info('closing node link', { code, reason, nodeId: session?.nodeId });
    state = 'closed'; // frames still in flight are ignored from here on
    if (session) return session.close(code, reason);
    clock.clearTimeout(handshakeTimer);
    if (ws.readyState === ws.OPEN) ws.close(code, closeReason(reason));
  };

  const handshakeTimer = unrefTimeout(
    clock,
    () => shut(CloseCode.HandshakeTimeout, 'no hello in time'),
    options.handshakeTimeoutMs ?? 10_000,
  );

  ws.on('error', (error) => {
    // ws has already started closing (1009 for an oversized frame, 1002 for a protocol error).
    logger.info('node link error', { nodeId: session?.nodeId, error: error.message });
  });
  ws.on('close', (code) => {
    clock.clearTimeout(handshakeTimer);
    state = 'closed';
    if (session) {
      logger.info('node offline', { nodeId: session.nodeId, code });
      session.goOffline(`link closed (${code})`);
    }
  });

  const welcome = async (frame: Extract<NodeFrame, { type: 'hello' }>) => {
    state = 'verifying';
    let check;
    try {
      check = await checkHello(frame, nonce, store);
    } catch (error) {
      logger.error('node lookup failed', { error: (error as Error).message });
      return shut(CloseCode.GoingAway, 'gateway error; try again later');
    }
    if (ws.readyState !== ws.OPEN) return; // closed while the store was asked
    if (!check.ok) {
      if (check.code === CloseCode.UnknownKey || check.code === CloseCode.BadSignature) {
        failedGuess();
      }
      return shut(check.code, check.reason);
    }
    clock.clearTimeout(handshakeTimer);
    session = new NodeSession(ws, check.node, {
      heartbeatMs: options.heartbeatMs,
      logger,
      limits,
      clock,
      onOffline: (gone) => router.remove(gone),
      onChange: () => router.capacityChanged(),
      onAnnounce: (announced, first) => {
        if (first) void market.welcome(announced);
      },
      onRewards: (from, rewards) => {
        // Kept in the store, so a job settled later is shared by the split in force then.
        store.setNodeRewards(from.nodeId, rewards).catch((error: unknown) =>
          logger.error('node rewards not stored', {
            nodeId: from.nodeId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      },
      onReceiptsRequest: signer
        ? (from, jobIds) => void answerReceiptsRequest(from, jobIds, { store, signer, logger })
        : undefined,
    });
    state = 'online';
    send({
      type: 'welcome',
      nodeId: check.node.id,
      orgId: check.node.orgId,
      heartbeatMs: options.heartbeatMs,
      feeBasisPoints: options.feeBasisPoints,
      ...(signer ? { features: [GATEWAY_FEATURE_RECEIPTS_REQUEST] } : {}),
    });
    router.add(session);
    logger.info('node online', { nodeId: check.node.id, agent: frame.agent });
    for (const next of queued.splice(0)) if (session.isOnline) session.handleFrame(next);
  };

  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (state === 'closed') return;
    // Counted before parsing, so that a flood costs as little as possible.
    if (!allFrames.take()) return shut(CloseCode.RateLimited, 'frame rate over budget');
    const parsed = parseNodeFrame(data, isBinary);
    if (!parsed.ok) return shut(parsed.code, parsed.reason);
    const frame = parsed.frame;
    if (state === 'online') return session?.handleFrame(frame);
    if (state === 'verifying') {
      // Frames the node sent right after its hello wait for the verdict, in order.
      if (frame.type === 'hello') return shut(CloseCode.UnexpectedFrame, 'second hello');
      if (queued.length >= MAX_QUEUED)
        return shut(CloseCode.BadFrame, 'too many frames before welcome');
      queued.push(frame);
      return;
    }
    if (frame.type !== 'hello') {
      return shut(CloseCode.UnexpectedFrame, `expected hello, got ${frame.type}`);
    }
    void welcome(frame);
  });

  send({
    type: 'challenge',
    v: PROTOCOL_VERSION,
    nonce,
    gatewayPublicKey: options.gatewayPublicKey,
  });
}
