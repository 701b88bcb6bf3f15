/**
 * Group commit: the first item waits `windowMs` for company, and items added while a write
 * runs go in the next one, so that a busy gateway pays one transaction for many rows (a
 * single-row transaction costs PGlite about as much as a hundred rows in one).
 */
interface Queued<Item, Result> {
  item: Item;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
}

/** What became of each item, in order: its result, or an Error that refuses that item alone. */
export type WriteAll<Item, Result> = (items: Item[]) => Promise<(Result | Error)[]>;

export class WriteBatch<Item, Result> {
  private queued: Queued<Item, Result>[] = [];
  private running = false;
  /** Items ever added, and items written or refused: a barrier waits for its count. */
  private added = 0;
  private finished = 0;
  private barriers: { count: number; release: () => void }[] = [];

  constructor(
    private readonly writeAll: WriteAll<Item, Result>,
    private readonly maxItems: number,
    private readonly windowMs: number,
  ) {}

  /** Resolves once the item is written, with its result. */
  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.queued.push({ item, resolve, reject });
      this.added++;
      if (this.running) return;
      this.running = true;
      // A window of 0 waits only for what this turn of the event loop adds (a timer waits 1 ms).
      if (this.windowMs === 0) setImmediate(() => void this.drain());
      else setTimeout(() => void this.drain(), this.windowMs);
    });
  }

  /** Resolves once every item added so far is written or refused (not those added later). */
  settled(): Promise<void> {
    if (this.finished === this.added) return Promise.resolve();
    return new Promise((release) => this.barriers.push({ count: this.added, release }));
  }

  /** True while nothing waits to be written. */
  get idle(): boolean {
    return this.finished === this.added;
  }

  private async drain(): Promise<void> {
    while (this.queued.length > 0) {
      const batch = this.queued.splice(0, this.maxItems);
      try {
        const results = await this.writeAll(batch.map((queued) => queued.item));
        batch.forEach((queued, index) => {
          const result = results[index];
          if (result instanceof Error) queued.reject(result);
          else queued.resolve(result as Result);
        });
      } catch (error) {
        for (const queued of batch) queued.reject(error);
      }
      this.finished += batch.length;
      this.barriers = this.barriers.filter((barrier) => {
        if (barrier.count > this.finished) return true;
        barrier.release();
        return false;
      });
    }
    this.running = false;
  }
}
