/**
 * What a client may hold of the gateway's HTTP server before it has shown who it is: slow
 * headers and slow bodies are timed out, and connections that have not yet presented a
 * valid API key are capped per remote address, under a global cap on all connections.
 *
 * The timeouts cover receiving a request only (Node's `headersTimeout` and `requestTimeout`):
 * once a request is in, its response may stream for as long as the generation lasts, and a
 * WebSocket upgrade (the node link) leaves them behind, with its own handshake deadline.
 */
import {
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../common/log.js';
import { ApiError } from '../common/openaiErrors.js';
import { RepeatLog } from '../common/repeatLog.js';

export interface HttpLimits {
  /** ms from a connection's start (or a keep-alive request's first byte) to its last header. */
  headersTimeoutMs: number;
  /** ms to receive a whole request, headers and body; the response is not limited. */
  requestTimeoutMs: number;
  /** ms an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections of every kind (clients, admin, node links) the server holds at once. */
  maxConnections: number;
  /**
   * Connections one remote address may hold that have not yet carried a request with a valid
   * API key (and are not a node link). Counting only those keeps a reverse proxy's pool of
   * authenticated keep-alive connections, or many nodes behind one NAT, from hitting the cap.
   */
  maxUnauthenticatedPerAddress: number;
}

/**
 * Headers in 10 s and a whole body (at most a few MiB) in 30 s suit any real client. 72 s
 * of keep-alive outlasts the 60 s idle timeout of common load balancers, so that they never
 * reuse a connection the gateway just closed (Fastify's own default, for the same reason).
 */
export const DEFAULT_HTTP_LIMITS: Readonly<HttpLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 8192,
  maxUnauthenticatedPerAddress: 128,
};

/** The limits with defaults filled in; throws a RangeError on a value that is not usable. */
export function resolveHttpLimits(given: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...given };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1 || value > 2 ** 31 - 1) {
      throw new RangeError(`httpLimits.${name} must be an integer from 1 to ${2 ** 31 - 1}`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new RangeError('httpLimits.headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return limits;
}

/** The Fastify options that apply `limits`' timeouts to the server it creates. */
export function fastifyTimeouts(limits: HttpLimits): {
  http: ServerOptions;
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
} {
  return {
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the two timeouts on this interval (30 s by default): a quarter of the
      // shorter one keeps the overshoot small, and a second at most is cheap to walk.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, limits.headersTimeoutMs >> 2)),
    },
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // No idle timeout while a request is served: a long generation that is not streamed
    // writes nothing until it ends, and the router's own deadlines bound a silent node.
    connectionTimeout: 0,
  };
}

function clientErrorOf(code: string | undefined): ApiError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError(
      408,
      'The request was not received in time',
      'invalid_request_error',
      'request_timeout',
    );
  }
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError(
      431,
      'The request headers are too large',
      'invalid_request_error',
      'headers_too_large',
    );
  }
  return ApiError.invalidRequest('The request is not valid HTTP', null, 'bad_request');
}

/**
 * Answers a malformed or timed-out request in OpenAI's error shape before closing the
 * socket, as Node would, but only while no response to it has begun.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const answer = clientErrorOf(error.code);
    const body = JSON.stringify(answer.toBody());
    const { status } = answer;
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Counts, per remote address, the connections that have not yet authenticated. */
export class ConnectionCap {
  private readonly pending = new Map<string, number>();
  /** Each pending socket's address; a socket leaves when it authenticates, upgrades or closes. */
  private readonly addressOf = new WeakMap<Socket, string>();
  private readonly log: RepeatLog;

  constructor(
    private readonly limits: HttpLimits,
    logger: Logger,
  ) {
    this.log = new RepeatLog(logger);
  }

  /** Applies the caps to `server`: the global one, and the per-address one on each connection. */
  attach(server: Server): void {
    server.maxConnections = this.limits.maxConnections;
    server.on('connection', (socket: Socket) => this.admit(socket));
    // A node link's socket leaves HTTP here; the link server's handshake deadline takes over.
    server.on('upgrade', (request: IncomingMessage) => this.release(request.socket));
  }

  /** A request on `socket` presented a valid API key: it no longer counts against its address. */
  authenticated(socket: Socket): void {
    this.release(socket);
  }

  private admit(socket: Socket): void {
    const address = socket.remoteAddress;
    if (address === undefined) return; // already gone
    const count = this.pending.get(address) ?? 0;
    if (count >= this.limits.maxUnauthenticatedPerAddress) {
      // One log key for every address: a flood from many addresses costs a few lines.
      this.log.warn(
        'connection refused: too many unauthenticated connections from one address',
        { address, limit: this.limits.maxUnauthenticatedPerAddress },
        'connection refused',
      );
      socket.destroy();
      return;
    }
    this.pending.set(address, count + 1);
    this.addressOf.set(socket, address);
    socket.once('close', () => this.release(socket));
  }

  private release(socket: Socket): void {
    const address = this.addressOf.get(socket);
    if (address === undefined) return;
    this.addressOf.delete(socket);
    const count = (this.pending.get(address) ?? 1) - 1;
    if (count > 0) this.pending.set(address, count);
    else this.pending.delete(address);
  }
}
