/**
 * The {@link RequestQueue}: a FIFO line per model. Every request joins its model's line on
 * arrival and leaves it when a route takes it; only the first in line may take capacity, so
 * nobody overtakes a waiter. Waiters are woken when capacity may have come free, and re-check
 * once a second anyway (a node's slots can also free up without the gateway seeing it).
 */
import type { Logger } from '../../common/log.js';
import { realClock, unrefTimeout, type Clock } from '../../common/node/timers.js';
import { BusyError, clientGoneError } from './dispatchTypes.js';
import type { QueueTicket, RequestQueue } from './requestQueue.js';

/** A waiter re-checks at least this often. */
const RECHECK_MS = 1000;

export interface ModelQueuesOptions {
  /** The longest a request waits in line, ms. */
  waitMs: number;
  /** The most requests in one model's line. */
  length: number;
  logger: Logger;
  /** Injectable, so that tests move time by hand. */
  clock?: Clock;
}

class Ticket implements QueueTicket {
  private wakeUp: (() => void) | null = null;
  private readonly deadline: number;
  inLine = true;
  /** Once it has waited, it is logged as queued (once). */
  private logged = false;

  constructor(
    private readonly queue: ModelQueues,
    readonly model: string,
    private readonly signal: AbortSignal,
    waitMs: number,
  ) {
    this.deadline = queue.clock.now() + waitMs;
  }

  isFirst(): boolean {
    return !this.inLine || this.queue.first(this.model) === this;
  }

  wait(): Promise<void> {
    const { clock } = this.queue;
    const left = this.deadline - clock.now();
    if (this.signal.aborted) return Promise.reject(clientGoneError());
    if (left <= 0 || this.queue.closed) {
      const seconds = Math.max(1, Math.ceil(this.queue.waitMs / 1000));
      return Promise.reject(new BusyError(this.model, seconds, 'waited too long in the queue'));
    }
    // A request that went to a route and must wait again (the route failed) goes first.
    if (!this.inLine) {
      this.inLine = true;
      this.queue.rejoinFront(this);
    }
    if (!this.logged) {
      this.logged = true;
      this.queue.logQueued(this);
    }
    return new Promise((resolve) => {
      const done = () => {
        clock.clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        this.wakeUp = null;
        resolve();
      };
      const timer = unrefTimeout(clock, done, Math.min(left, RECHECK_MS));
      this.signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }

  /** Ends a wait now (a wake). */
  wake(): void {
    this.wakeUp?.();
  }

  leave(): void {
    if (!this.inLine) return;
    this.inLine = false;
    this.queue.remove(this);
  }
}

export class ModelQueues implements RequestQueue {
  private readonly lines = new Map<string, Ticket[]>();
  closed = false;
  readonly clock: Clock;

  constructor(private readonly options: ModelQueuesOptions) {
    this.clock = options.clock ?? realClock;
  }

  get waitMs(): number {
    return this.options.waitMs;
  }

  enter(model: string, signal: AbortSignal): QueueTicket {
    const line = this.lines.get(model) ?? [];
    // The line holds only requests that wait or are about to go; at its cap, refuse.
    if (line.length >= this.options.length) {
      const seconds = Math.max(1, Math.ceil(this.options.waitMs / 1000));
      throw new BusyError(model, seconds, `${line.length} requests are already waiting`);
    }
    const ticket = new Ticket(this, model, signal, this.options.waitMs);
    line.push(ticket);
    this.lines.set(model, line);
    return ticket;
  }

  rejoinFront(ticket: Ticket): void {
    const line = this.lines.get(ticket.model) ?? [];
    line.unshift(ticket);
    this.lines.set(ticket.model, line);
  }

  first(model: string): Ticket | undefined {
    return this.lines.get(model)?.[0];
  }

  remove(ticket: Ticket): void {
    const line = this.lines.get(ticket.model);
    if (!line) return;
    const index = line.indexOf(ticket);
    if (index >= 0) line.splice(index, 1);
    if (line.length === 0) this.lines.delete(ticket.model);
    else if (index === 0) line[0]!.wake();
  }

  logQueued(ticket: Ticket): void {
    const line = this.lines.get(ticket.model) ?? [];
    this.options.logger.info('request queued', {
      model: ticket.model,
      position: line.indexOf(ticket) + 1,
      waiting: line.length,
    });
  }

  wake(model?: string): void {
    if (model !== undefined) return this.first(model)?.wake();
    for (const line of this.lines.values()) line[0]?.wake();
  }

  lengths(): Record<string, number> {
    return Object.fromEntries([...this.lines].map(([model, line]) => [model, line.length]));
  }

  close(): void {
    this.closed = true;
    for (const line of this.lines.values()) for (const ticket of line) ticket.wake();
  }
}
