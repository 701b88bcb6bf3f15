/**
 * The bounded FIFO per model where requests wait while every allowed route is busy. A
 * request holds a ticket from its arrival; only the first in line may take capacity, so a
 * newcomer never overtakes a waiter. When capacity may have come free the first is woken;
 * when it leaves (it got a route, or gave up), the next one is.
 */
export interface QueueTicket {
  /** Whether no one waits ahead of this request (true once it has left the line). */
  isFirst(): boolean;
  /**
   * Waits for a wake (or a periodic re-check), keeping the ticket's place. Rejects with a
   * 503 {@link BusyError} once the request has waited the queue's limit, or when the client
   * goes away.
   */
  wait(): Promise<void>;
  /** Leaves the line (idempotent); the next in line is woken. */
  leave(): void;
}

export interface RequestQueue {
  /** Joins `model`'s line; throws a 503 {@link BusyError} when the line is full. */
  enter(model: string, signal: AbortSignal): QueueTicket;
  /** Capacity may have come free: wake the first in line of `model`, or of every model. */
  wake(model?: string): void;
  /** Requests in line per model, for the routes listing. */
  lengths(): Record<string, number>;
  /** Wakes and fails every waiter (the gateway is closing). */
  close(): void;
}
