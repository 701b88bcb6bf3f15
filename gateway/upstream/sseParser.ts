/**
 * An incremental parser of a `text/event-stream` body: text goes in as it arrives, split
 * anywhere, and each event's `data` comes out once its blank line (or the stream's end) is
 * seen. Comments, `event:`, `id:` and `retry:` lines are skipped: an OpenAI-compatible
 * stream says everything in `data:` lines.
 */
export class SseParser {
  private pending = '';
  private data: string | null = null;

  constructor(private readonly onData: (data: string) => void) {}

  /** Feeds decoded text (a UTF-8 decoder upstream keeps multi-byte characters whole). */
  push(text: string): void {
    let buffer = this.pending.length > 0 ? this.pending + text : text;
    let start = 0;
    for (;;) {
      const end = buffer.indexOf('\n', start);
      if (end < 0) break;
      const lineEnd = end > start && buffer.charCodeAt(end - 1) === 13 ? end - 1 : end;
      this.line(buffer, start, lineEnd);
      start = end + 1;
    }
    if (start > 0) buffer = buffer.slice(start);
    this.pending = buffer;
  }

  /** The stream ended: an event without its blank line still counts. */
  end(): void {
    if (this.pending.length > 0) {
      const rest = this.pending;
      this.pending = '';
      this.line(rest, 0, rest.endsWith('\r') ? rest.length - 1 : rest.length);
    }
    this.dispatch();
  }

  private line(buffer: string, start: number, end: number): void {
    if (end === start) return this.dispatch();
    // `data:` (5 characters), then one optional space.
    if (!buffer.startsWith('data:', start)) return;
    let from = start + 5;
    if (buffer.charCodeAt(from) === 32) from++;
    const value = buffer.slice(from, end);
    this.data = this.data === null ? value : `${this.data}\n${value}`;
  }

  private dispatch(): void {
    if (this.data === null) return;
    const data = this.data;
    this.data = null;
    this.onData(data);
  }
}
