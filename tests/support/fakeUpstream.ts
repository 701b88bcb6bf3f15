/**
 * A stand-in OpenAI-compatible provider for the upstream unit tests (the e2e tests use real
 * byoi-node processes): a real HTTP server on port 0 whose answers the test scripts one call
 * at a time, with statuses, SSE streams and delays it resolves by hand. Unscripted calls get
 * a plain completion (or `/models` list).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionRequest } from '../../common/openai.js';
import type { RouteJob, RouteSink } from '../../gateway/routing/route.js';
import type { ProviderRecord } from '../../gateway/store/types.js';

/** One request the stand-in received, with ways to answer it. */
export class FakeCall {
  /** Resolves when the request's connection closed (the client gave up, or it ended). */
  readonly closed: Promise<void>;
  private socketClosed = false;

  constructor(
    readonly method: string,
    readonly path: string,
    readonly headers: IncomingMessage['headers'],
    readonly rawBody: string,
    readonly res: ServerResponse,
  ) {
    this.closed = new Promise((resolve) => {
      const socket = res.socket;
      if (!socket || socket.destroyed) return resolve();
      socket.once('close', () => {
        this.socketClosed = true;
        resolve();
      });
    });
  }

  /** The body as JSON (null when empty or not JSON). */
  get body(): Record<string, unknown> | null {
    try {
      return JSON.parse(this.rawBody) as Record<string, unknown>;
    } catch {
      return null;
    }
  }

  get isClosed(): boolean {
    return this.socketClosed;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.res.writeHead(status, { 'content-type': 'application/json', ...headers });
    this.res.end(JSON.stringify(body));
  }

  /** Starts an SSE answer. */
  sseStart(): void {
    this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    this.res.flushHeaders();
  }

  /** One `data:` event (an object is JSON-encoded). */
  sse(data: unknown): void {
    this.res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  }

  /** Raw bytes of the stream, e.g. an event split across writes. */
  raw(text: string): void {
    this.res.write(text);
  }

  /** Ends the stream, with `data: [DONE]` unless told otherwise. */
  sseEnd(done = true): void {
    if (done) this.res.write('data: [DONE]\n\n');
    this.res.end();
  }

  /** Breaks the connection (a provider that fails mid-way). */
  destroy(): void {
    this.res.socket?.destroy();
  }
}

export type FakeHandler = (call: FakeCall) => void | Promise<void>;

/** A chat completion chunk with one choice. */
export function chunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
    ...extra,
  };
}

/** The usage-only chunk OpenAI sends last with `include_usage`. */
export function usageChunk(prompt: number, completion: number): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'fake-model',
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
    },
  };
}

/** A whole chat completion body. */
export function completion(
  content: string,
  usage = { prompt: 7, completion: 3 },
): Record<string, unknown> {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model: 'fake-model',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
    system_fingerprint: 'fp_fake',
  };
}

const defaultHandler: FakeHandler = (call) => {
  if (call.method === 'GET')
    return call.json(200, { object: 'list', data: [{ id: 'fake-model', object: 'model' }] });
  call.json(200, completion('ok'));
};

export class FakeUpstream {
  /** Every request received, in order. */
  readonly calls: FakeCall[] = [];
  private readonly scripted: FakeHandler[] = [];
  private waiters: Array<{ n: number; resolve: (call: FakeCall) => void }> = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<FakeUpstream> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const upstream = new FakeUpstream(server, (server.address() as AddressInfo).port);
    server.on('request', (req, res) => upstream.receive(req, res));
    return upstream;
  }

  /** What a provider record's `baseUrl` is. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Answers the next unanswered calls with these handlers, in order. */
  script(...handlers: FakeHandler[]): void {
    this.scripted.push(...handlers);
  }

  /** Resolves with the `n`th call (0-based) once it arrives. */
  call(n: number): Promise<FakeCall> {
    const existing = this.calls[n];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const call = new FakeCall(
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers,
        Buffer.concat(parts).toString(),
        res,
      );
      this.calls.push(call);
      const due = this.waiters.filter((waiter) => waiter.n < this.calls.length);
      this.waiters = this.waiters.filter((waiter) => waiter.n >= this.calls.length);
      for (const waiter of due) waiter.resolve(this.calls[waiter.n]!);
      const handler = this.scripted.shift() ?? defaultHandler;
      void Promise.resolve(handler(call)).catch(() => call.destroy());
    });
  }
}

/** A promise with its resolve, for delays the test ends by hand. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A provider record pointing at `baseUrl`, serving `m` as the provider's `fake-model`. */
export function providerRecord(
  baseUrl: string,
  overrides: Partial<ProviderRecord> = {},
): ProviderRecord {
  return {
    name: 'fake',
    baseUrl,
    apiKeys: ['sk-test-key-000000001'],
    models: { m: 'fake-model' },
    price: { prompt: 1, completion: 2 },
    cost: { prompt: 0.5, completion: 1 },
    maxConcurrent: 4,
    enabled: true,
    createdAt: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** One try's job for model `m`; `body` extras are fields the client sent beside the usual ones. */
export function upstreamJob(
  options: {
    stream?: boolean;
    extra?: Record<string, unknown>;
    signal?: AbortSignal;
    connectTimeoutMs?: number;
    firstTokenTimeoutMs?: number;
  } = {},
): RouteJob {
  const body: Record<string, unknown> = {
    model: 'm',
    messages: [{ role: 'user', content: 'Say hello' }],
    ...(options.stream ? { stream: true } : {}),
    ...options.extra,
  };
  return {
    jobId: 'job_test',
    task: { kind: 'chat', request: body as unknown as ChatCompletionRequest },
    body,
    signal: options.signal ?? new AbortController().signal,
    connectTimeoutMs: options.connectTimeoutMs ?? 2000,
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? 5000,
    stallTimeoutMs: 5000,
  };
}

/** A sink that records the chunks, and resolves `first` on the first one. */
export function recordingSink(): RouteSink & {
  chunks: Record<string, unknown>[];
  first: Promise<void>;
} {
  const chunks: Record<string, unknown>[] = [];
  let sawFirst!: () => void;
  const first = new Promise<void>((resolve) => (sawFirst = resolve));
  return {
    chunks,
    first,
    delta: () => {
      throw new Error('an upstream route sends chunks, not deltas');
    },
    chunk: (piece) => {
      chunks.push(piece);
      sawFirst();
    },
  };
}
