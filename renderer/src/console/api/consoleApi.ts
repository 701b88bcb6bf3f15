/**
 * The console's one HTTP client: the session calls and the admin API, same-origin with the
 * gateway. Every admin call sends the session's CSRF token; a 401 for a missing or expired
 * session signs the console out.
 */
import type { ConsoleSession } from '../../../../common/adminRecords';

/** An error the gateway answered with, in its own words. */
export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'ConsoleApiError';
  }
}

/** Codes that mean the session is gone. */
const SESSION_CODES = new Set(['session_expired', 'no_session']);

let csrfToken = '';
let onSessionLost: (() => void) | null = null;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** Called when an admin call finds the session gone. */
export function onSessionExpired(handler: () => void): void {
  onSessionLost = handler;
}

async function readError(response: Response): Promise<ConsoleApiError> {
  let message = response.statusText || `HTTP ${response.status}`;
  let code: string | null = null;
  try {
    const body = (await response.json()) as { error?: { message?: string; code?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code ?? null;
  } catch {
    // Not JSON: keep the status text.
  }
  return new ConsoleApiError(response.status, message, code);
}

/** A raw same-origin fetch with the CSRF header (for streams and CSV). */
export async function rawFetch(
  path: string,
  init: {
    method?: string;
    body?: unknown;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Response> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    signal: init.signal,
    credentials: 'same-origin',
    // A JSON content type with no body is refused by the gateway: only a body gets one.
    headers: {
      'x-csrf-token': csrfToken,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) {
    const error = await readError(response);
    if (response.status === 401 && error.code && SESSION_CODES.has(error.code)) onSessionLost?.();
    throw error;
  }
  return response;
}

/** Calls `/admin/v1<path>` and parses its JSON answer. */
export async function admin<T>(path: string, method = 'GET', body?: unknown): Promise<T> {
  const response = await rawFetch(`/admin/v1${path}`, { method, body });
  return (await response.json()) as T;
}

/** `GET /admin/v1<path>` → its `data` list. */
export async function adminList<T>(path: string): Promise<T[]> {
  return (await admin<{ data: T[] }>(path)).data;
}

/** A query string from the defined values. */
export function query(values: Record<string, string | number | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export const sessionApi = {
  async signIn(secret: string): Promise<ConsoleSession> {
    const response = await rawFetch('/console/api/session', { method: 'POST', body: { secret } });
    return (await response.json()) as ConsoleSession;
  },
  /** The current session; null when there is none, `expired` when it ran out. */
  async current(): Promise<ConsoleSession | 'expired' | null> {
    const response = await fetch('/console/api/session', { credentials: 'same-origin' });
    if (response.status === 401) {
      const error = await readError(response);
      return error.code === 'session_expired' ? 'expired' : null;
    }
    if (!response.ok) throw await readError(response);
    return (await response.json()) as ConsoleSession;
  },
  async signOut(): Promise<void> {
    await fetch('/console/api/session', {
      method: 'DELETE',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': csrfToken },
    });
  },
};
