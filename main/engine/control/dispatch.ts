/**
 * The one way a `NodeApi` call is made, whatever carried it (HTTP `POST /api/<verb>`, the
 * control WebSocket, the Electron shell's MessagePort): look the verb up, validate its
 * argument with the verb's schema, run it, and turn any failure into a {@link WireError}.
 */
import { createLogger, type Logger } from '../../../common/log.js';
import {
  isNodeApiVerb,
  nodeApiArgs,
  type NodeApi,
  type NodeApiResults,
  type NodeApiVerb,
} from '../../../common/nodeApi.js';
import type { WireError } from '../../../common/nodeApiWire.js';
import { ApiError, parseOrThrow, toApiError } from '../../../common/openaiErrors.js';
import type { z } from 'zod';

/** What a call came to: the verb's result, or the error to answer with. */
export type CallOutcome =
  { ok: true; result: NodeApiResults[NodeApiVerb] } | { ok: false; error: WireError };

/** The error for a verb `NodeApi` does not have (HTTP status 404). */
export function unknownVerb(verb: string): ApiError {
  return new ApiError(
    404,
    `Unknown verb '${verb.slice(0, 64)}'`,
    'invalid_request_error',
    'unknown_verb',
  );
}

/** An ApiError in the wire's shape. */
export function toWireError(error: ApiError): WireError {
  return {
    status: error.status,
    message: error.message,
    type: error.type,
    code: error.code,
    param: error.param,
  };
}

// Callers without a logger of their own still get failures on stderr rather than nowhere.
const stderrLogger = createLogger({ write: (line) => process.stderr.write(line) });

/**
 * Runs `verb` on `api` with `args` (validated against `nodeApiArgs[verb]`). Never throws:
 * an unknown verb is a 404 `unknown_verb`, bad arguments a 400 whose `param` names the
 * field, errors the engine throws as ApiError keep their status, and anything else is a
 * 500 with a generic message; its real cause goes to `logger` only.
 */
export async function callVerb(
  api: NodeApi,
  verb: string,
  args: unknown,
  logger: Logger = stderrLogger,
): Promise<CallOutcome> {
  try {
    if (!isNodeApiVerb(verb)) throw unknownVerb(verb);
    const parsed = parseOrThrow(nodeApiArgs[verb] as z.ZodType, args ?? {});
    const run = api[verb] as (args: unknown) => Promise<NodeApiResults[NodeApiVerb]>;
    return { ok: true, result: await run.call(api, parsed) };
  } catch (error) {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      // Verbs carry settings and ids, never prompt text, so the cause is safe to log.
      logger.error('control call failed', {
        verb,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    return { ok: false, error: toWireError(apiError) };
  }
}
