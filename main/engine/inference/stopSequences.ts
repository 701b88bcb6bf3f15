/**
 * Stop sequences found in the streamed text itself. node-llama-cpp's `LlamaCompletion`
 * matches stop triggers against each token detokenized alone, where an SPM tokenizer drops
 * the token's leading space, so a stop such as "o s" never matches " so so". This holds back
 * only the tail that could still begin a stop sequence, and never sends a stop sequence.
 */
export class StopSequences {
  private pending = '';
  private found = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Whether a stop sequence was found; no more text should be generated. */
  get stopped(): boolean {
    return this.found;
  }

  /** Takes a generated piece; returns the text that is safe to send now. */
  push(piece: string): string {
    if (this.found) return '';
    if (this.stops.length === 0) return piece;
    this.pending += piece;
    let cut = -1;
    for (const stop of this.stops) {
      const at = this.pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.found = true;
      const text = this.pending.slice(0, cut);
      this.pending = '';
      return text;
    }
    const keep = this.heldBack();
    const text = this.pending.slice(0, this.pending.length - keep);
    this.pending = this.pending.slice(this.pending.length - keep);
    return text;
  }

  /** The held-back tail, once generation ended without a stop sequence. */
  flush(): string {
    const text = this.found ? '' : this.pending;
    this.pending = '';
    return text;
  }

  /** Length of the longest tail of `pending` that is the start of a stop sequence. */
  private heldBack(): number {
    let keep = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, this.pending.length); length > keep; length--) {
        if (this.pending.endsWith(stop.slice(0, length))) {
          keep = length;
          break;
        }
      }
    }
    return keep;
  }
}
