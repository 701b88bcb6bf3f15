/**
 * The client requests in flight, by API key, so that revoking a key ends its open requests
 * at once: a stream gets the SSE error event, a request still waiting gets the 401. A key
 * revoked on another instance of a cluster ends them at this one's next heartbeat.
 */
import { ApiError } from '../../common/openaiErrors.js';

/** What a request is told when its key is revoked while it runs. */
export function keyRevokedError(): ApiError {
  return new ApiError(
    401,
    'The API key was revoked while this request was running',
    'invalid_request_error',
    'invalid_api_key',
  );
}

export class OpenRequests {
  private readonly byKey = new Map<string, Set<(error: ApiError) => void>>();

  /** Registers a request of `keyId`; `end` stops it. Returns the function that forgets it. */
  open(keyId: string, end: (error: ApiError) => void): () => void {
    let ends = this.byKey.get(keyId);
    if (!ends) this.byKey.set(keyId, (ends = new Set()));
    ends.add(end);
    return () => {
      ends.delete(end);
      if (ends.size === 0 && this.byKey.get(keyId) === ends) this.byKey.delete(keyId);
    };
  }

  /** The keys with requests open now. */
  keyIds(): string[] {
    return [...this.byKey.keys()];
  }

  /** Ends every open request of the key; returns how many. */
  keyRevoked(keyId: string): number {
    const ends = this.byKey.get(keyId);
    if (!ends) return 0;
    this.byKey.delete(keyId);
    const error = keyRevokedError();
    for (const end of ends) end(error);
    return ends.size;
  }
}
