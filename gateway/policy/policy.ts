/**
 * The policy in front of routing: every instance keeps the settings (limits, quotas, cache
 * policies) in memory, refreshed every few seconds and at once after a local admin change,
 * and counts and reserves in the database, where all instances meet. A request with no
 * limit or quota in force costs no database call.
 */
import { errorText, type Logger } from '../../common/log.js';
import {
  unrefTimeout,
  realTimers,
  type TimerHandle,
  type Timers,
} from '../../common/node/timers.js';
import {
  scopeName,
  type AdmissionOutcome,
  type CachePolicy,
  type Quota,
  type RateLimit,
  type ScopeClaim,
  type ScopeFigures,
} from '../store/policyTypes.js';
import type { ApiKeyInfo, GatewayStore } from '../store/types.js';
import { quotaExceeded, rateLimited } from './policyErrors.js';
import { quotaWarnings, rateHeaders, RATE_WINDOW_MS, retryAfterSeconds } from './policyHeaders.js';

/** How often an instance rereads the settings that other instances may have changed. */
export const POLICY_REFRESH_MS = 2000;
/** How often old rate windows and expired cached answers are dropped. */
const PRUNE_EVERY_MS = 60_000;

export interface PolicyOptions {
  store: GatewayStore;
  logger: Logger;
  /** Wall-clock time, epoch ms: windows and months are shared by every instance (tests move it). */
  now?: () => number;
  timers?: Timers;
  refreshMs?: number;
}

/** What a request reserves at admission: tokens (prompt bound plus max_tokens) and worst-case nano-USD. */
export interface Reservation {
  tokens: number;
  nanos: number;
}

/** An admitted request: its response headers, and the settlement it owes when it ends. */
export interface Admission {
  readonly headers: Record<string, string>;
  /** Whether any tpm or quota counts its tokens (then max_tokens must bound it). */
  readonly bounded: boolean;
  /** Corrects the reservation to the real count and cost; once, later calls do nothing. */
  settle(used: Reservation): Promise<void>;
}

const UNLIMITED: Admission = { headers: {}, bounded: false, settle: async () => undefined };

export const monthOf = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 7);

export class Policy {
  private limits = new Map<string, RateLimit>();
  private quotas = new Map<string, Quota>();
  private caches = new Map<string, CachePolicy>();
  private readonly now: () => number;
  private readonly timers: Timers;
  private refreshTimer: TimerHandle | undefined;
  private lastPrune = 0;
  private closed = false;

  constructor(private readonly options: PolicyOptions) {
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? realTimers;
  }

  /** Reads the settings now; then every `refreshMs`. */
  async start(): Promise<void> {
    await this.reload();
    this.schedule();
  }

  private schedule(): void {
    if (this.closed) return;
    this.refreshTimer = unrefTimeout(
      this.timers,
      () => void this.refresh().finally(() => this.schedule()),
      this.options.refreshMs ?? POLICY_REFRESH_MS,
    );
  }

  private async refresh(): Promise<void> {
    try {
      await this.reload();
      const now = this.now();
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        await this.options.store.prunePolicy(new Date(now - 2 * RATE_WINDOW_MS));
      }
    } catch (error) {
      if (this.closed) return;
      this.options.logger.warn('policy refresh failed', {
        error: errorText(error),
      });
    }
  }

  /** Rereads the settings (after an admin change here, so it applies at once). */
  async reload(): Promise<void> {
    const settings = await this.options.store.policySettings();
    this.limits = new Map(settings.limits.map((l) => [scopeName(l), l]));
    this.quotas = new Map(settings.quotas.map((q) => [scopeName(q), q]));
    this.caches = new Map(settings.caches.map((c) => [c.orgId, c]));
  }

  close(): void {
    this.closed = true;
    if (this.refreshTimer) this.timers.clearTimeout(this.refreshTimer);
  }

  /** The organization's cache policy when its cache is on. */
  cacheFor(orgId: string): CachePolicy | null {
    const policy = this.caches.get(orgId);
    return policy?.enabled ? policy : null;
  }

  /** The key's limits, then its organization's: only the scopes where one is in force. */
  claimsFor(key: ApiKeyInfo): ScopeClaim[] {
    const claims: ScopeClaim[] = [];
    for (const scope of [
      { orgId: key.orgId, keyId: key.id },
      { orgId: key.orgId, keyId: null },
    ]) {
      const name = scopeName(scope);
      const limit = this.limits.get(name);
      const quota = this.quotas.get(name);
      if (!limit && !quota) continue;
      claims.push({
        scope: name,
        rpm: limit?.rpm ?? null,
        tpm: limit?.tpm ?? null,
        monthlyNanos: quota?.monthlyNanos ?? null,
        monthlyTokens: quota?.monthlyTokens ?? null,
      });
    }
    return claims;
  }

  /**
   * Counts the request and reserves its worst case in every scope, or throws the 429 of the
   * first scope that cannot take it (then no scope keeps anything).
   */
  async admit(key: ApiKeyInfo, reserve: () => Reservation): Promise<Admission> {
    const claims = this.claimsFor(key);
    if (claims.length === 0) return UNLIMITED;
    const reservation = reserve();
    const now = this.now();
    const windowStart = new Date(Math.floor(now / RATE_WINDOW_MS) * RATE_WINDOW_MS);
    const month = monthOf(now);
    const outcome = await this.options.store.admit({
      claims,
      ...reservation,
      windowStart,
      month,
    });
    if (!outcome.admitted) throw this.refusal(claims, outcome, reservation, now);
    const headers = {
      ...rateHeaders(claims, outcome.figures, now),
      ...quotaWarnings(claims, outcome.figures),
    };
    const bounded = claims.some(
      (c) => c.tpm !== null || c.monthlyNanos !== null || c.monthlyTokens !== null,
    );
    let settled = false;
    return {
      headers,
      bounded,
      settle: async (used) => {
        // Requests per minute alone: what a request used changes no counter.
        if (settled || !bounded) return;
        settled = true;
        await this.settle(claims, windowStart, month, reservation, used);
      },
    };
  }

  private async settle(
    claims: ScopeClaim[],
    windowStart: Date,
    month: string,
    reserved: Reservation,
    used: Reservation,
  ): Promise<void> {
    try {
      const crossings = await this.options.store.settle({
        claims,
        windowStart,
        month,
        reservedTokens: reserved.tokens,
        reservedNanos: reserved.nanos,
        tokens: used.tokens,
        nanos: used.nanos,
      });
      for (const crossing of crossings) {
        this.options.logger.warn('quota threshold crossed', { ...crossing, month });
        await this.options.store.appendAudit({
          actor: 'gateway',
          action: 'quota.warning',
          target: crossing.scope,
          before: null,
          after: { month, percent: crossing.percent, what: crossing.what },
        });
      }
    } catch (error) {
      this.options.logger.error('quota settlement failed', {
        error: errorText(error),
      });
    }
  }

  private refusal(
    claims: ScopeClaim[],
    outcome: AdmissionOutcome & { admitted: false },
    reservation: Reservation,
    now: number,
  ): Error {
    const claim = claims.find((c) => c.scope === outcome.scope)!;
    const figures: ScopeFigures[] = outcome.figures ? [outcome.figures] : [];
    const headers = rateHeaders([claim], figures, now);
    const who = claim.scope.replace(':', ' ');
    switch (outcome.refusal) {
      case 'requests': {
        const retry = retryAfterSeconds(now);
        return rateLimited(
          `Rate limit reached for ${who} on requests per minute: limit ${claim.rpm}, ` +
            `used ${outcome.figures?.requests ?? 0}, requested 1. Try again in ${retry} s.`,
          retry,
          headers,
          true,
        );
      }
      case 'tokens': {
        const retry = retryAfterSeconds(now);
        const tooLarge = reservation.tokens > claim.tpm!;
        return rateLimited(
          `Rate limit reached for ${who} on tokens per minute: limit ${claim.tpm}, ` +
            `used ${outcome.figures?.tokens ?? 0}, requested ${reservation.tokens}` +
            (tooLarge
              ? '. The request alone is over the limit: lower max_tokens or the prompt.'
              : `. Try again in ${retry} s.`),
          retry,
          headers,
          !tooLarge,
        );
      }
      case 'quota_usd':
      case 'quota_tokens': {
        const usd = outcome.refusal === 'quota_usd';
        return quotaExceeded(
          `You exceeded the monthly ${usd ? 'spend' : 'token'} quota of ${who}: ` +
            (usd
              ? `limit $${((claim.monthlyNanos ?? 0) / 1e9).toFixed(6)}, this request may cost up to $${(reservation.nanos / 1e9).toFixed(6)}.`
              : `limit ${claim.monthlyTokens} tokens, this request may take up to ${reservation.tokens}.`) +
            ' Ask an administrator to raise it, or wait for the next month (UTC).',
          headers,
        );
      }
    }
  }
}
