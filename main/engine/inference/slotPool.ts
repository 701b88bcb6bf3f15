/**
 * A fixed set of inference slots with a bounded wait queue. Each slot is one context
 * sequence; a request holds a slot from its first prompt token to its last output token.
 */
import { ApiError } from '../../../common/openaiErrors.js';

/** A slot held by one request; call `release()` exactly once. */
export interface SlotLease<Slot> {
  slot: Slot;
  release(): void;
}

interface Waiter<Slot> {
  resolve(lease: SlotLease<Slot>): void;
  reject(error: unknown): void;
}

export class SlotPool<Slot> {
  private readonly free: Slot[];
  private readonly waiting: Waiter<Slot>[] = [];
  private idleWaiters: (() => void)[] = [];

  /** @param maxQueued how many requests may wait for a slot before new ones are refused */
  constructor(
    slots: readonly Slot[],
    readonly maxQueued: number,
  ) {
    this.free = [...slots];
    this.size = slots.length;
  }

  readonly size: number;

  /** Slots in use right now. */
  get busy(): number {
    return this.size - this.free.length;
  }

  /** Requests waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Waits for a free slot. Rejects with a 503 when the queue is full, and with the signal's
   * reason when the caller gives up while waiting.
   */
  acquire(signal?: AbortSignal): Promise<SlotLease<Slot>> {
    signal?.throwIfAborted();
    const slot = this.free.pop();
    if (slot !== undefined) return Promise.resolve(this.lease(slot));
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(
        ApiError.overloaded(
          `All ${this.size} inference slots are busy and ${this.waiting.length} requests are queued; try again shortly`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter<Slot> = {
        resolve: (lease) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject,
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Resolves once no slot is in use. */
  whenIdle(): Promise<void> {
    if (this.busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails every queued request, for shutdown or unload. */
  rejectQueued(error: unknown): void {
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  private lease(slot: Slot): SlotLease<Slot> {
    let released = false;
    return {
      slot,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) return next.resolve(this.lease(slot));
        this.free.push(slot);
        if (this.busy === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
      },
    };
  }
}
