/**
 * A server-sent-events response whose headers go out with the first event, so that an
 * error found before any output (queue full, prompt too long) can still be a plain HTTP error.
 */
import type { FastifyReply } from 'fastify';

export class SseResponse {
  private open = false;

  constructor(private readonly reply: FastifyReply) {}

  /** Whether any byte has been sent. */
  get started(): boolean {
    return this.open;
  }

  /** Sends SSE text, starting the response if needed. */
  write(text: string): void {
    const raw = this.reply.raw;
    if (!this.open) {
      this.open = true;
      this.reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
    }
    if (!raw.destroyed) raw.write(text);
  }

  /** Sends the last SSE text and ends the response. */
  end(text: string): void {
    this.write(text);
    if (!this.reply.raw.destroyed) this.reply.raw.end();
  }
}
