/** The policy's refusals: 429s in OpenAI's shape, with the headers that say when to retry. */
import { ApiError } from '../../common/openaiErrors.js';

/** An ApiError answered with headers of its own (`Retry-After`, the rate-limit figures). */
export class PolicyError extends ApiError {
  constructor(
    message: string,
    type: string,
    code: string,
    readonly headers: Record<string, string>,
  ) {
    super(429, message, type, code);
  }
}

/** 429 `rate_limit_exceeded`: the window is full; `Retry-After` says when it opens. */
export function rateLimited(
  message: string,
  retryAfterSeconds: number,
  headers: Record<string, string>,
  retryHelps: boolean,
): PolicyError {
  return new PolicyError(message, 'requests', 'rate_limit_exceeded', {
    ...headers,
    'retry-after': String(retryAfterSeconds),
    ...(retryHelps ? {} : { 'x-should-retry': 'false' }),
  });
}

/** 429 `insufficient_quota`: retrying does not help before the month ends or the quota grows. */
export function quotaExceeded(message: string, headers: Record<string, string>): PolicyError {
  return new PolicyError(message, 'insufficient_quota', 'insufficient_quota', {
    ...headers,
    'x-should-retry': 'false',
  });
}
