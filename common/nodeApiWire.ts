/**
 * `NodeApi` as messages, for the transports that are not plain HTTP: the browser
 * dashboard's WebSocket to the headless node's control server (`GET /api/ws`), and the
 * Electron shell's MessagePort to the engine's utilityProcess.
 *
 * Client → engine: `call`. Engine → client: `result` or `error` for each call id, and
 * `event` at any time. Over the WebSocket the first client message must be `auth` with the
 * control token (browsers cannot set headers on a WebSocket); the server answers `authed`,
 * or closes with 4401. A malformed message closes the socket with 4400.
 */
import { z } from 'zod';
import type { NodeApiResults, NodeApiVerb, NodeEvent } from './nodeApi.js';

/** WebSocket close codes of the control socket. */
export const ControlCloseCode = {
  BadMessage: 4400,
  Unauthorized: 4401,
} as const;

export const MAX_WIRE_MESSAGE_BYTES = 1024 * 1024;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(512) }),
  z.object({
    type: z.literal('call'),
    id: z.number().int().nonnegative(),
    verb: z.string().min(1).max(64),
    args: z.unknown(),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** An error answer, in the same fields as OpenAI's error body plus the HTTP-like status. */
export interface WireError {
  status: number;
  message: string;
  type: string;
  code: string | null;
  param: string | null;
}

export type EngineMessage =
  | { type: 'authed' }
  | { type: 'result'; id: number; result: NodeApiResults[NodeApiVerb] }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'event'; event: NodeEvent };
