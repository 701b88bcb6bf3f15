/**
 * How an upstream API key is shown anywhere outside the router: listings, errors, logs.
 * The one masking helper of the gateway; the admin views and the upstream key ring use it.
 */

/**
 * A key as listings show it: at most its first 3 and last 4 characters, fewer for short keys
 * (never more than half of it), and only `…` for a key of 8 characters or fewer.
 */
export function maskKey(key: string): string {
  if (key.length <= 8) return '…';
  const shown = Math.floor(key.length / 4);
  return `${key.slice(0, Math.min(3, shown))}…${key.slice(-Math.min(4, shown))}`;
}
