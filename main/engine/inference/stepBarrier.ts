/**
 * Keeps a context's generating sequences in step, so that their next tokens are decoded in
 * one llama.cpp batch. node-llama-cpp decodes whatever is queued when its batch loop comes
 * round; each sequence samples on its own, so after a few tokens they drift apart and most
 * batches hold fewer sequences than are generating (measured: batches of 3 for 4 streams).
 * Here each sequence, once it has its token, waits until every generating sequence has
 * its own; the last one releases them all on the next cycle, when the batch loop has gone
 * idle, so all of their decodes are queued together.
 */
export class StepBarrier {
  private generating = 0;
  private waiting: (() => void)[] = [];

  /** A sequence starts generating (after its prompt). */
  join(): void {
    this.generating++;
  }

  /** A sequence is done (finished, stopped or failed); the others no longer wait for it. */
  leave(): void {
    this.generating--;
    this.releaseIfAllArrived();
  }

  /**
   * Resolves when every generating sequence has arrived with its token. With one sequence
   * generating there is nothing to wait for, and it does not wait at all.
   */
  arrive(): Promise<void> | undefined {
    if (this.generating <= 1 && this.waiting.length === 0) return undefined;
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.releaseIfAllArrived();
    });
  }

  private releaseIfAllArrived(): void {
    if (this.waiting.length === 0 || this.waiting.length < this.generating) return;
    const released = this.waiting;
    this.waiting = [];
    setImmediate(() => {
      for (const resolve of released) resolve();
    });
  }
}
