/**
 * `NodeApi` over a WebSocket at `GET /api/ws` (common/nodeApiWire.ts), for the browser
 * dashboard: browsers cannot put a bearer token on a WebSocket, so the first message is
 * `auth` with the control token. The upgrade passes the same Host and Origin checks as HTTP
 * and is refused with a 403 before any WebSocket exists.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Logger } from '../../../common/log.js';
import type { NodeApi, NodeEvent } from '../../../common/nodeApi.js';
import {
  clientMessageSchema,
  ControlCloseCode,
  MAX_WIRE_MESSAGE_BYTES,
  type ClientMessage,
  type EngineMessage,
} from '../../../common/nodeApiWire.js';
import { ApiError, apiErrorFromZod } from '../../../common/openaiErrors.js';
import { callVerb } from './dispatch.js';
import { SECURITY_HEADERS, type HostGuard } from './requestGuard.js';

/** Where pushed events come from; `on` returns the function that stops listening. */
export interface NodeEventSource {
  on(listener: (event: NodeEvent) => void): () => void;
}

/** The path of the control socket. */
export const CONTROL_SOCKET_PATH = '/api/ws';
/** A client that lets this much pile up unsent is dropped rather than buffered for. */
export const MAX_CLIENT_BUFFERED_BYTES = 4 * 1024 * 1024;
const DEFAULT_AUTH_TIMEOUT_MS = 10_000;
/** How long closing waits for clients to answer the close handshake before cutting them. */
const CLOSE_GRACE_MS = 1000;

export interface ControlSocketOptions {
  api: NodeApi;
  token: string;
  logger: Logger;
  guard: HostGuard;
  events?: NodeEventSource;
  /** How long a new socket has to send `auth` (10 s). */
  authTimeoutMs?: number;
}

/** The control socket attached to an HTTP server. */
export interface ControlSocketServer {
  /** Closes every socket (1001), refuses new ones, and stops listening to events. */
  close(): Promise<void>;
}

/** Compares secrets in constant time, whatever their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A close reason fits in 123 bytes of UTF-8, or `ws` throws. */
function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}

function refuseUpgrade(socket: Duplex, error: ApiError): void {
  const body = JSON.stringify(error.toBody());
  const headers = {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${error.status} ${error.status === 404 ? 'Not Found' : 'Forbidden'}\r\n${head.join('')}\r\n${body}`,
  );
}

/** Parses one client message, or says why it is not one. */
function parseMessage(data: RawData, isBinary: boolean): ClientMessage | string {
  if (isBinary) return 'messages must be JSON text';
  const bytes = Buffer.isBuffer(data)
    ? data
    : Array.isArray(data)
      ? Buffer.concat(data)
      : Buffer.from(data);
  if (bytes.length > MAX_WIRE_MESSAGE_BYTES) {
    return `message over ${MAX_WIRE_MESSAGE_BYTES} bytes`;
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'message is not JSON';
  }
  const parsed = clientMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : `bad message: ${apiErrorFromZod(parsed.error).message}`;
}

/** Serves the control socket on `server`'s upgrade requests for {@link CONTROL_SOCKET_PATH}. */
export function attachControlSocket(
  server: Server,
  options: ControlSocketOptions,
): ControlSocketServer {
  const { api, token, logger, guard, events } = options;
  // ws's own limit cuts absurd frames (1009) without buffering them; ours, below it, answers
  // a merely oversized message with 4400 and a reason.
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * MAX_WIRE_MESSAGE_BYTES });
  const sockets = new Set<WebSocket>();
  const authed = new Set<WebSocket>();
  let stopEvents: (() => void) | null = null;
  let closing = false;

  const drop = (ws: WebSocket, why: string) => {
    logger.warn('control socket dropped', { reason: why });
    ws.terminate();
  };
  /** Sends unless the client has stopped reading; then it is dropped. */
  const send = (ws: WebSocket, text: string) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_CLIENT_BUFFERED_BYTES) return drop(ws, 'client too slow');
    ws.send(text);
  };
  const reply = (ws: WebSocket, message: EngineMessage) => {
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      logger.error('control socket could not encode an answer', { error: String(error) });
      return;
    }
    send(ws, text);
  };
  const broadcast = (event: NodeEvent) => {
    let text: string;
    try {
      // Encoded once for every socket; a failure must not throw into the engine's emitter.
      text = JSON.stringify({ type: 'event', event } satisfies EngineMessage);
    } catch (error) {
      logger.error('control socket could not encode an event', { error: String(error) });
      return;
    }
    for (const ws of authed) send(ws, text);
  };
  // The engine does work (status snapshots) while anyone listens: listen only while needed.
  const updateSubscription = () => {
    if (events && authed.size > 0 && !stopEvents) stopEvents = events.on(broadcast);
    if (authed.size === 0 && stopEvents) {
      stopEvents();
      stopEvents = null;
    }
  };

  const serve = (ws: WebSocket) => {
    sockets.add(ws);
    const authTimer = setTimeout(
      () => ws.close(ControlCloseCode.Unauthorized, 'auth not received in time'),
      options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS,
    );
    ws.on('error', (error) => logger.debug('control socket error', { error: error.message }));
    ws.on('close', () => {
      clearTimeout(authTimer);
      sockets.delete(ws);
      authed.delete(ws);
      updateSubscription();
    });
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== ws.OPEN) return;
      const message = parseMessage(data, isBinary);
      if (typeof message === 'string') {
        return ws.close(ControlCloseCode.BadMessage, closeReason(message));
      }
      if (!authed.has(ws)) {
        if (message.type !== 'auth') {
          return ws.close(ControlCloseCode.Unauthorized, 'the first message must be auth');
        }
        if (!sameSecret(message.token, token)) {
          return ws.close(ControlCloseCode.Unauthorized, 'wrong control token');
        }
        clearTimeout(authTimer);
        authed.add(ws);
        reply(ws, { type: 'authed' });
        return updateSubscription();
      }
      if (message.type === 'auth') {
        return ws.close(ControlCloseCode.BadMessage, 'already authenticated');
      }
      const { id, verb, args } = message;
      // Not awaited: calls run concurrently and answer by id in whatever order they finish.
      void callVerb(api, verb, args, logger).then((outcome) =>
        reply(
          ws,
          outcome.ok
            ? { type: 'result', id, result: outcome.result }
            : { type: 'error', id, error: outcome.error },
        ),
      );
    });
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => logger.debug('control upgrade error', { error: error.message }));
    if (closing) return socket.destroy();
    const refusal = guard(request.headers);
    if (refusal) return refuseUpgrade(socket, refusal);
    const path = (request.url ?? '').split('?')[0];
    if (path !== CONTROL_SOCKET_PATH) {
      const message = `No WebSocket at ${path}; the control socket is ${CONTROL_SOCKET_PATH}`;
      return refuseUpgrade(
        socket,
        new ApiError(404, message, 'invalid_request_error', 'unknown_url'),
      );
    }
    wss.handleUpgrade(request, socket, head, serve);
  };
  server.on('upgrade', onUpgrade);

  return {
    async close() {
      closing = true;
      authed.clear();
      updateSubscription();
      const open = [...sockets];
      const closed = open.map(
        (ws) =>
          new Promise<void>((resolve) =>
            ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()),
          ),
      );
      for (const ws of open) ws.close(1001, 'server closing');
      // Clients that do not answer the close handshake (stalled, paused) are cut.
      const grace = setTimeout(() => open.forEach((ws) => ws.terminate()), CLOSE_GRACE_MS);
      await Promise.all(closed);
      clearTimeout(grace);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
