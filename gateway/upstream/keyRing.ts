/**
 * The API keys of one upstream provider, used in turn. A key the provider refused (401/403)
 * is disabled until the provider is reloaded; a rate-limited one (429) rests for the
 * provider's `Retry-After`, or for a backoff of 1 s doubling to 60 s per key. The secrets
 * never leave this class except through {@link KeyRing.next}: listings show masked keys.
 */
import { maskKey } from '../admin/maskKey.js';
import type { KeyState } from '../routing/route.js';

/** First rest of a rate-limited key without `Retry-After`, ms. */
export const KEY_BACKOFF_BASE_MS = 1000;
/** Longest rest without `Retry-After`, ms. */
export const KEY_BACKOFF_CAP_MS = 60_000;

interface Slot {
  readonly key: string;
  /** `Bearer <key>`, built once. */
  readonly authorization: string;
  readonly masked: string;
  disabled: boolean;
  /** Epoch ms the key may be used again; 0 when it is not resting. */
  restingUntil: number;
  reason: string | null;
  /** 429s in a row, for the backoff. */
  strikes: number;
}

/** A key handed out for one try. */
export interface KeyLease {
  index: number;
  key: string;
  /** `Bearer <key>`, for the `Authorization` header. */
  authorization: string;
}

/** Replaces every occurrence of `key` in `text` (a provider may echo it) with its mask. */
export function scrubKey(text: string, key: string): string {
  return key.length > 0 && text.includes(key) ? text.split(key).join(maskKey(key)) : text;
}

export class KeyRing {
  private readonly slots: Slot[];
  private cursor = 0;

  /** @param now epoch ms (Date.now by default): also what `restingUntil` is reported in. */
  constructor(
    keys: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    this.slots = keys.map((key) => ({
      key,
      authorization: `Bearer ${key}`,
      masked: maskKey(key),
      disabled: false,
      restingUntil: 0,
      reason: null,
      strikes: 0,
    }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** The next usable key after the last one handed out, or null when none is usable now. */
  next(): KeyLease | null {
    const count = this.slots.length;
    const now = this.now();
    for (let step = 0; step < count; step++) {
      const index = (this.cursor + step) % count;
      const slot = this.slots[index]!;
      if (!this.usable(slot, now)) continue;
      this.cursor = (index + 1) % count;
      return { index, key: slot.key, authorization: slot.authorization };
    }
    return null;
  }

  /** The provider refused the key (401/403): unused until the provider is reloaded. */
  disable(index: number, reason: string): void {
    const slot = this.slots[index];
    if (!slot) return;
    slot.disabled = true;
    slot.restingUntil = 0;
    slot.reason = reason;
  }

  /**
   * The key was rate-limited (429): it rests `ms` (from `Retry-After`), or, without one, for
   * the key's backoff (1 s, doubling per 429 in a row, at most 60 s). Returns the rest, ms.
   */
  rest(index: number, ms: number | null | undefined, reason: string): number {
    const slot = this.slots[index];
    if (!slot || slot.disabled) return 0;
    slot.strikes++;
    const backoff = Math.min(KEY_BACKOFF_CAP_MS, KEY_BACKOFF_BASE_MS * 2 ** (slot.strikes - 1));
    const restMs = ms != null && Number.isFinite(ms) && ms >= 0 ? ms : backoff;
    slot.restingUntil = this.now() + restMs;
    slot.reason = reason;
    return restMs;
  }

  /** The key served a request: its backoff starts again at 1 s. */
  succeeded(index: number): void {
    const slot = this.slots[index];
    if (slot) slot.strikes = 0;
  }

  /** Every key enabled again, rests over (an explicit reload of the provider). */
  reset(): void {
    for (const slot of this.slots) {
      slot.disabled = false;
      slot.restingUntil = 0;
      slot.reason = null;
      slot.strikes = 0;
    }
  }

  /** Keys that can be used now. */
  usableCount(): number {
    const now = this.now();
    let count = 0;
    for (const slot of this.slots) if (this.usable(slot, now)) count++;
    return count;
  }

  /** Keys resting now (not disabled). */
  restingCount(): number {
    const now = this.now();
    let count = 0;
    for (const slot of this.slots) if (!slot.disabled && slot.restingUntil > now) count++;
    return count;
  }

  /** Epoch ms the first resting key comes back, or null when none is resting. */
  earliestReturn(): number | null {
    const now = this.now();
    let earliest: number | null = null;
    for (const slot of this.slots) {
      if (slot.disabled || slot.restingUntil <= now) continue;
      if (earliest === null || slot.restingUntil < earliest) earliest = slot.restingUntil;
    }
    return earliest;
  }

  /** Each key's state, masked, in the provider's order. */
  states(): KeyState[] {
    const now = this.now();
    return this.slots.map((slot) => {
      if (slot.disabled) {
        return { masked: slot.masked, state: 'disabled', reason: slot.reason, restingUntil: null };
      }
      if (slot.restingUntil > now) {
        return {
          masked: slot.masked,
          state: 'resting',
          reason: slot.reason,
          restingUntil: new Date(slot.restingUntil).toISOString(),
        };
      }
      return { masked: slot.masked, state: 'active', reason: null, restingUntil: null };
    });
  }

  /** A ring that is logged or inspected shows its masked states, never a key. */
  toJSON(): KeyState[] {
    return this.states();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `KeyRing ${JSON.stringify(this.states())}`;
  }

  private usable(slot: Slot, now: number): boolean {
    return !slot.disabled && slot.restingUntil <= now;
  }
}
