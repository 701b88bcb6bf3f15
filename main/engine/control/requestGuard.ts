/**
 * What every request to the control server passes, HTTP and WebSocket upgrade alike: the
 * Host header must name this server (no DNS rebinding), a browser's Origin must be this
 * server's own, and every response carries the same security headers.
 */
import { DASHBOARD_CSP } from '../../../common/contentSecurityPolicy.js';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopback } from '../../../common/address.js';
import { ApiError } from '../../../common/openaiErrors.js';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/** The dashboard's policy, shared with the other place that serves it. */
export const CONTENT_SECURITY_POLICY = DASHBOARD_CSP;

/** Headers on every response of the control server, errors and refused upgrades included. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Host names this server answers to: loopback names, and the bound address itself. */
function allowedHostnames(boundHost: string): string[] | 'any' {
  // Bound to every interface: the names it is reached by are not known here; the token guards it.
  if (boundHost === '0.0.0.0' || boundHost === '::') return 'any';
  const bound = boundHost.includes(':') ? `[${boundHost}]` : boundHost;
  return isLoopback(boundHost) ? [...LOOPBACK_NAMES, bound] : [bound];
}

function forbidden(message: string, code: string): ApiError {
  return new ApiError(403, message, 'invalid_request_error', code);
}

/** Checks a request's Host and Origin headers; returns the 403 to answer, or null. */
export type HostGuard = (headers: IncomingHttpHeaders) => ApiError | null;

/**
 * A guard for a server bound to `boundHost`; `port` is read on each request because it is
 * only known once listening (port 0). `server` names it in the refusal; `checkOrigin: false`
 * leaves browsers of other origins to the server's own rules (the OpenAI endpoint's key).
 */
export function createHostGuard(
  boundHost: string,
  port: () => number,
  { server = 'control server', checkOrigin = true } = {},
): HostGuard {
  const hostnames = allowedHostnames(boundHost);
  return (headers) => {
    const host = headers.host ?? '';
    if (
      hostnames !== 'any' &&
      !hostnames.some((name) => `${name}:${port()}` === host.toLowerCase())
    ) {
      return forbidden(`Host '${host}' is not this ${server}`, 'host_not_allowed');
    }
    const origin = headers.origin;
    if (checkOrigin && origin !== undefined && origin !== `http://${host}`) {
      return forbidden(`Requests from origin '${origin}' are not allowed`, 'origin_not_allowed');
    }
    return null;
  };
}
