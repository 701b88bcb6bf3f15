/** The one `NodeClient` of this page, set once at startup, used by the stores' actions. */
import type { NodeClient } from './nodeClient.js';

let current: NodeClient | null = null;

export function setNodeClient(client: NodeClient | null): void {
  current = client;
}

/** The client; throws before startup chose one (a bug, not a user-facing state). */
export function nodeClient(): NodeClient {
  if (!current) throw new Error('No NodeClient yet: createClient() runs before any screen');
  return current;
}
