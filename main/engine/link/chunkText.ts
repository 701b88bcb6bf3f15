/**
 * A job's streamed text on its way to the link: each piece goes out as its own `job.chunk`
 * while the link keeps up, and pieces that arrive while frames are still queued on the
 * socket are merged into one frame, sent when the next piece finds the link caught up, when
 * the job ends, or after {@link MAX_HOLD_MS} at most. The first piece is never held.
 */

/** The longest a piece waits for the link to catch up. */
export const MAX_HOLD_MS = 20;
/** Merged text stays well inside one frame's limit (65,536 characters). */
const MAX_HELD_CHARS = 32_768;

export class ChunkText {
  private held = '';
  private sentAny = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    /** Sends one `job.chunk` with this text. */
    private readonly send: (text: string) => void,
    /** Whether frames are still queued on the link's socket. */
    private readonly linkBehind: () => boolean,
  ) {}

  /** Takes a piece of text; sends it now unless the link is behind. */
  push(text: string): void {
    if (text === '') return;
    this.held += text;
    if (this.sentAny && this.held.length < MAX_HELD_CHARS && this.linkBehind()) {
      this.timer ??= setTimeout(() => this.flush(), MAX_HOLD_MS).unref();
      return;
    }
    this.flush();
  }

  /** Sends whatever is held (before a tool-call chunk, or as the job ends). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    this.sentAny = true;
    this.send(text);
  }

  /** Drops whatever is held: the job was stopped, and nothing more is sent for it. */
  drop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.held = '';
  }
}
