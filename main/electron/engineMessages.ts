/**
 * What the engine's utilityProcess sends back (common/nodeApiWire.ts `EngineMessage`),
 * checked before the shell trusts it: a crashed or confused engine must not be able to
 * throw inside the main process.
 */
import type { NodeEvent } from '../../common/nodeApi.js';
import type { WireError } from '../../common/nodeApiWire.js';

export type ParsedEngineMessage =
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'event'; event: NodeEvent };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** A `WireError` from whatever the engine sent, with safe defaults. */
export function toWireError(value: unknown): WireError {
  const error = isObject(value) ? value : {};
  return {
    status: typeof error['status'] === 'number' ? error['status'] : 500,
    message:
      typeof error['message'] === 'string' ? error['message'] : 'The engine reported an error',
    type: typeof error['type'] === 'string' ? error['type'] : 'server_error',
    code: stringOrNull(error['code']),
    param: stringOrNull(error['param']),
  };
}

/** The message, or null when it is not one the engine may send. */
export function parseEngineMessage(message: unknown): ParsedEngineMessage | null {
  if (!isObject(message)) return null;
  const id = message['id'];
  const validId = typeof id === 'number' && Number.isInteger(id) && id >= 0;
  switch (message['type']) {
    case 'result':
      return validId ? { type: 'result', id, result: message['result'] } : null;
    case 'error':
      return validId ? { type: 'error', id, error: toWireError(message['error']) } : null;
    case 'event': {
      const event = message['event'];
      if (!isObject(event) || typeof event['type'] !== 'string') return null;
      return { type: 'event', event: event as unknown as NodeEvent };
    }
    default:
      return null;
  }
}

/** A call the engine answered with an error; `wire` is its answer, unchanged. */
export class EngineCallError extends Error {
  override name = 'EngineCallError';
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/** A call that never reached the engine, or lost it: it is down, restarting or stopped. */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
  readonly wire: WireError;
  constructor(message: string) {
    super(message);
    this.wire = {
      status: 503,
      message,
      type: 'server_error',
      code: 'engine_unavailable',
      param: null,
    };
  }
}
