/**
 * A short-lived cache of authenticated API keys, so that the hot path does not ask the
 * database on every request. Only keys that authenticated are kept, for at most `ttlMs`, and
 * at most {@link MAX_ENTRIES} of them. A revocation through the same store forgets the key
 * at once; one made elsewhere (another process) takes effect within `ttlMs`.
 */
import type { ApiKeyInfo } from './types.js';

export const API_KEY_CACHE_TTL_MS = 2000;
const MAX_ENTRIES = 10_000;

export class ApiKeyCache {
  private readonly entries = new Map<string, { info: ApiKeyInfo; until: number }>();

  constructor(
    private readonly lookUp: (secret: string) => Promise<ApiKeyInfo | null>,
    private readonly ttlMs = API_KEY_CACHE_TTL_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The key's info, or null for an unknown or revoked secret. */
  async authenticate(secret: string): Promise<ApiKeyInfo | null> {
    const cached = this.entries.get(secret);
    if (cached && cached.until > this.now()) return cached.info;
    this.entries.delete(secret);
    const info = await this.lookUp(secret);
    if (info) {
      if (this.entries.size >= MAX_ENTRIES) {
        this.entries.delete(this.entries.keys().next().value!);
      }
      this.entries.set(secret, { info, until: this.now() + this.ttlMs });
    }
    return info;
  }

  /** Forgets a revoked key. */
  forget(keyId: string): void {
    for (const [secret, entry] of this.entries) {
      if (entry.info.id === keyId) this.entries.delete(secret);
    }
  }
}
