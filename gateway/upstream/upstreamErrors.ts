/**
 * How an upstream's errors become {@link RouteFailure}s: connection errors are 'connect',
 * 401/403 and 429 are 'key' (the route disables or rests the key), 5xx and 408 are 'status',
 * other 4xx are 'client' and carry the provider's own error for the client. Messages are
 * short, and the key is scrubbed from anything the provider said.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../../common/openaiErrors.js';
import { RouteFailure } from '../routing/route.js';
import { scrubKey } from './keyRing.js';

/** Longest provider message kept, characters. */
const MESSAGE_LENGTH = 300;

/** Output a try sent before it failed. */
export interface Produced {
  text: string;
  chunks: number;
}

/** `Retry-After` (seconds or an HTTP date) or OpenAI's `retry-after-ms`, in ms from `now`. */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers['retry-after'];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const shorten = (text: string): string =>
  text.length > MESSAGE_LENGTH ? `${text.slice(0, MESSAGE_LENGTH)}…` : text;

const stringOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

/** The provider's `{error:{message,type,code,param}}` (or a bare `{error: "…"}` / `{message}`). */
export function providerError(
  parsed: unknown,
  key: string,
): { message: string | null; type: string | null; code: string | null; param: string | null } {
  const none = { message: null, type: null, code: null, param: null };
  if (parsed === null || typeof parsed !== 'object') return none;
  const body = parsed as Record<string, unknown>;
  const error = body.error;
  const fields =
    error !== null && typeof error === 'object'
      ? (error as Record<string, unknown>)
      : { message: typeof error === 'string' ? error : body.message };
  const message = stringOrNull(fields.message);
  return {
    message: message === null ? null : shorten(scrubKey(message, key)),
    type: stringOrNull(fields.type),
    code: stringOrNull(fields.code),
    param: stringOrNull(fields.param),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The failure for an upstream's non-2xx answer before any output. */
export function statusFailure(
  status: number,
  bodyText: string,
  headers: IncomingHttpHeaders,
  key: string,
  now: number,
): RouteFailure {
  const error = providerError(parseJson(bodyText), key);
  const said = error.message ?? `HTTP ${status}`;
  if (status === 401 || status === 403) {
    return new RouteFailure(`upstream refused the key (${status}): ${said}`, 'key', { status });
  }
  if (status === 429) {
    return new RouteFailure(`upstream rate limit (429): ${said}`, 'key', {
      status,
      retryAfterMs: retryAfterMs(headers, now),
    });
  }
  if (status >= 500 || status === 408 || status < 400) {
    return new RouteFailure(`upstream error ${status}: ${said}`, 'status', { status });
  }
  const clientError = new ApiError(
    status,
    error.message ?? `The provider answered ${status}`,
    error.type ?? 'invalid_request_error',
    error.code,
    error.param,
  );
  return new RouteFailure(`upstream rejected the request (${status}): ${said}`, 'client', {
    status,
    clientError,
  });
}

/** A connection-level error (refused, reset, DNS) as a 'connect' failure. */
export function connectFailure(error: unknown, key: string, produced: Produced): RouteFailure {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const what = code ?? (error instanceof Error ? error.message : 'connection failed');
  const afterOutput = produced.chunks > 0;
  return new RouteFailure(
    afterOutput
      ? `upstream stream broke: ${scrubKey(what, key)}`
      : `upstream connection failed: ${scrubKey(what, key)}`,
    'connect',
    { afterOutput, produced },
  );
}

/** A stream the provider ended badly, or an error event inside it. */
export function brokenStream(message: string, produced: Produced, status?: number): RouteFailure {
  return new RouteFailure(shorten(message), 'status', {
    afterOutput: produced.chunks > 0,
    produced,
    status,
  });
}
