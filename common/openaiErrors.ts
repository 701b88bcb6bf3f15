/** OpenAI's error shape, `{error:{message,type,param,code}}`, and the errors we send. */
import type { z } from 'zod';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error with the HTTP status and OpenAI body it should be answered with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body to send. */
  toBody(): OpenAiErrorBody {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }

  static invalidRequest(
    message: string,
    param: string | null = null,
    code = 'invalid_value',
  ): ApiError {
    return new ApiError(400, message, 'invalid_request_error', code, param);
  }

  static modelNotFound(model: string): ApiError {
    return new ApiError(
      404,
      `The model '${model}' does not exist or is not served here`,
      'invalid_request_error',
      'model_not_found',
      'model',
    );
  }

  static overloaded(message: string): ApiError {
    return new ApiError(503, message, 'server_error', 'overloaded');
  }

  static unknownUrl(method: string, url: string): ApiError {
    return new ApiError(
      404,
      `Unknown request URL: ${method} ${url}`,
      'invalid_request_error',
      'unknown_url',
    );
  }

  static internal(message = 'The server had an error while processing your request'): ApiError {
    return new ApiError(500, message, 'server_error', 'internal_error');
  }
}

/** `messages[0].content` style path for `param`. */
export function paramPath(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`,
    )
    .join('');
}

type ZodIssue = z.core.$ZodIssue;

/**
 * For a union that failed, the most specific issue of its branches (the deepest path), so
 * that `param` names `messages[0].content[0].type` rather than `messages[0].content`.
 */
function mostSpecific(issue: ZodIssue): ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: ZodIssue | undefined;
  for (const branch of issue.errors) {
    const candidate = branch[0] && mostSpecific(branch[0]);
    if (candidate && (!best || candidate.path.length > best.path.length)) best = candidate;
  }
  if (!best || best.path.length === 0) return issue;
  return { ...best, path: [...issue.path, ...best.path] };
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Turns the first zod issue into a 400 that names the field. With the parsed `input`, a
 * field that is absent gets the code `missing_required_parameter`.
 */
export function apiErrorFromZod(error: z.ZodError, input?: unknown): ApiError {
  const first = error.issues[0];
  if (!first) return ApiError.invalidRequest('Invalid request body');
  const issue = mostSpecific(first);
  const param = paramPath(issue.path);
  const missing = param !== null && input !== undefined && valueAt(input, issue.path) === undefined;
  const message = missing
    ? `Missing required parameter: '${param}'`
    : param
      ? `Invalid '${param}': ${issue.message}`
      : issue.message;
  return ApiError.invalidRequest(
    message,
    param,
    missing ? 'missing_required_parameter' : 'invalid_value',
  );
}

/** Parses `input` with `schema`, or throws the 400 ApiError that names the bad field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw apiErrorFromZod(result.error, input);
  return result.data;
}

function isZodError(error: unknown): error is z.ZodError {
  return (
    error instanceof Error &&
    error.name === 'ZodError' &&
    Array.isArray((error as z.ZodError).issues)
  );
}

/**
 * Any thrown value as an ApiError: ours pass through, zod errors become 400s naming the
 * field, HTTP-framework errors that carry a 4xx `statusCode` (bad JSON, body too large,
 * wrong content type) keep their status, and everything else is a 500 that reveals nothing.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isZodError(error)) return apiErrorFromZod(error);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && error instanceof Error) {
    return new ApiError(
      status,
      error.message,
      'invalid_request_error',
      status === 413 ? 'request_too_large' : 'invalid_request',
    );
  }
  return ApiError.internal();
}
