/**
 * A typed client of a headless node's control API (`NodeApi` over HTTP), for the demo, the
 * tests and the benchmarks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NodeApiArgs, NodeApiResults, NodeApiVerb } from '../common/nodeApi.js';

/** Where a node's control API is, and its bearer token. */
export interface ControlAccess {
  url: string;
  token: string;
}

/** The control access of a node from its ready line's URL and its data folder's token. */
export async function controlAccess(url: string, dataDir: string): Promise<ControlAccess> {
  const token = (await readFile(join(dataDir, 'control-token'), 'utf8')).trim();
  return { url, token };
}

/** Calls one verb; rejects with the API's error message on a non-2xx answer. */
export async function callNode<V extends NodeApiVerb>(
  control: ControlAccess,
  verb: V,
  args: NodeApiArgs<V>,
): Promise<NodeApiResults[V]> {
  const response = await fetch(`${control.url}/api/${verb}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  });
  const body = (await response.json()) as NodeApiResults[V] & { error?: { message: string } };
  if (!response.ok) {
    throw new Error(`${verb}: ${response.status} ${body.error?.message ?? ''}`.trim());
  }
  return body;
}
