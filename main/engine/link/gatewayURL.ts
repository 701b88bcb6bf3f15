/** Gateway addresses: the user gives an http(s) URL; the link dials the matching ws(s) one. */
import { isLoopback } from '../../../common/address.js';
import { LINK_PATH } from '../../../common/protocol.js';

/** A gateway URL that is not an http(s) URL. */
export class GatewayURLError extends Error {
  override name = 'GatewayURLError';
}

/**
 * Checks that `value` is an http(s) URL and returns it without a trailing slash, query or
 * fragment. A path prefix is kept (`https://example.com/byoi`).
 */
export function normalizeGatewayURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GatewayURLError(
      `the gateway URL must look like https://gateway.example, got '${value}'`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GatewayURLError(
      `the gateway URL must start with http:// or https://, got '${value}'`,
    );
  }
  if (url.username || url.password) {
    throw new GatewayURLError('the gateway URL must not contain a user name or password');
  }
  url.search = '';
  url.hash = '';
  return url.href.replace(/\/+$/, '');
}

/** `<gateway>/<path>` as an http(s) URL, keeping any path prefix of the gateway. */
export function gatewayEndpoint(gatewayURL: string, path: string): string {
  return `${normalizeGatewayURL(gatewayURL)}${path}`;
}

/** The WebSocket URL of the gateway's node link (`ws(s)://…/v1/node/link`). */
export function linkURL(gatewayURL: string): string {
  return gatewayEndpoint(gatewayURL, LINK_PATH).replace(/^http/, 'ws');
}

/** Whether a (normalized) gateway URL is plain http:// to another machine. */
export function isInsecureRemote(gatewayURL: string): boolean {
  const url = new URL(gatewayURL);
  return url.protocol === 'http:' && !isLoopback(url.hostname.replace(/^\[|\]$/g, ''));
}

/**
 * The normalized URL, refused when it is plain http:// to another machine and the user did
 * not say `insecure`: the enrollment and the link would then cross the network unencrypted
 * (prompts, answers and the node's earnings with them).
 */
export function secureGatewayURL(value: string, insecure = false): string {
  const url = normalizeGatewayURL(value);
  if (!insecure && isInsecureRemote(url)) {
    throw new GatewayURLError(
      `the gateway at ${url} is plain http:// on another machine, so prompts and answers would ` +
        `cross the network unencrypted; use its https:// address, or allow plain http:// for ` +
        `a private network you trust (--insecure)`,
    );
  }
  return url;
}
