/** The gateway's admin API, as much of it as the private-network setup needs. */

/** The few admin API calls the setup makes (`/admin/v1`, bearer token). */
export function gatewayAdminClient(url: string, token: string) {
  const request = async (method: string, path: string, body?: unknown) =>
    fetch(`${url}/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    async exists(path: string): Promise<boolean> {
      const response = await request('GET', path);
      if (response.status === 404) return false;
      if (!response.ok) throw new Error(`gateway admin GET ${path}: HTTP ${response.status}`);
      return true;
    },
    async post<T>(path: string, body: unknown): Promise<T> {
      const response = await request('POST', path, body);
      const json = (await response.json()) as T & { error?: { message?: string } };
      if (!response.ok) {
        throw new Error(
          `gateway admin POST ${path}: ${json.error?.message ?? `HTTP ${response.status}`}`,
        );
      }
      return json;
    },
  };
}
