/** Calls a running gateway's admin API (`/admin/v1/…`), for the demo, the benchmarks and tests. */

/** One admin call; rejects with the gateway's own message for a non-2xx answer. */
export async function callAdmin<T>(
  gatewayURL: string,
  adminToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${gatewayURL}/admin/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) {
    throw new Error(`admin ${method} ${path}: ${json.error?.message ?? response.status}`);
  }
  return json;
}
