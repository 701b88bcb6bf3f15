/** Errors as the screens show them: the API's own message, or a connection problem. */
import { NodeApiError, NodeConnectionError, type ConnectionFailure } from '../api/nodeClient';

export interface UiError {
  /** The API's `error.message` (already meant for people), or the thrown message. */
  message: string;
  /** Set when the call never got an answer; the screen shows a translated sentence. */
  connection: ConnectionFailure | null;
  /** The verb that failed, when known. */
  verb: string | null;
}

export function toUiError(error: unknown): UiError {
  if (error instanceof NodeConnectionError) {
    return { message: error.message, connection: error.reason, verb: error.verb };
  }
  if (error instanceof NodeApiError || error instanceof Error) {
    return { message: error.message, connection: null, verb: null };
  }
  return { message: String(error), connection: null, verb: null };
}

/** A local validation error, shown like an API error. */
export function localError(message: string): UiError {
  return { message, connection: null, verb: null };
}
