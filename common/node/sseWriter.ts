/**
 * A server-sent-events response, the one the node's endpoint and the gateway both write. Its
 * headers go out with the first event, so that an error found before any output (queue full,
 * no route, prompt too long) can still be a plain HTTP error.
 */
import type { FastifyReply } from 'fastify';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export class SseWriter {
  private open = false;
  private headers: Record<string, string> = {};

  constructor(private readonly reply: FastifyReply) {}

  /** Whether the response has started (after which errors go in the stream). */
  get started(): boolean {
    return this.open;
  }

  /** Extra response headers, sent with the first event; too late once it has started. */
  setHeaders(headers: Record<string, string>): void {
    this.headers = { ...this.headers, ...headers };
  }

  /** Sends SSE text, starting the response if needed. Nothing is sent to a closed socket. */
  write(text: string): void {
    const raw = this.reply.raw;
    if (!this.open) {
      this.open = true;
      this.reply.hijack();
      raw.writeHead(200, { ...SSE_HEADERS, ...this.headers });
    }
    if (!raw.destroyed) raw.write(text);
  }

  /** Sends the last SSE text and ends the response. */
  end(text: string): void {
    this.write(text);
    if (!this.reply.raw.destroyed) this.reply.raw.end();
  }
}
