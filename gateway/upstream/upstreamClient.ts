/**
 * HTTP to one OpenAI-compatible provider: `POST {baseUrl}/chat/completions` (or
 * `/embeddings`, `/completions`) over a
 * keep-alive agent with `node:http`/`node:https` (leaner than fetch on the hot path). The
 * client's body goes through as it came, with the provider's model id and, for streams,
 * `stream_options.include_usage`. Streams are parsed as they arrive and each chunk goes to
 * the sink as the provider sent it, except the usage-only chunk, which comes back in the
 * result for the relay to decide on.
 */
import http from 'node:http';
import https from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { RouteFailure, type RouteJob, type RouteSink, type Task } from '../routing/route.js';
import type { KeyLease } from './keyRing.js';
import { SseParser } from './sseParser.js';
import { ChatOutput, type UpstreamResult } from './chatOutput.js';
import { brokenStream, connectFailure, statusFailure } from './upstreamErrors.js';

export type { UpstreamResult } from './chatOutput.js';

/** The most of an error body (or a health check's) read, bytes. */
const ERROR_BODY_LIMIT = 64 * 1024;

/** Where each kind of task goes under the provider's base URL. */
const TASK_PATHS: Record<Task['kind'], string> = {
  chat: '/chat/completions',
  embeddings: '/embeddings',
  completions: '/completions',
};

/** A plain answer to a GET (the health check's `/models`). */
export interface ProbeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const isStale = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
};

export class UpstreamClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly prefix: string;

  /** @param now epoch ms, for `Retry-After` dates. */
  constructor(
    baseUrl: string,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(baseUrl);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:')
      throw new RangeError(`unsupported URL: ${url.protocol}`);
    const options = { keepAlive: true, scheduling: 'lifo' as const };
    this.agent = secure ? new https.Agent(options) : new http.Agent(options);
    this.request = secure ? https.request : http.request;
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port === '' ? undefined : Number(url.port);
    this.prefix = url.pathname.replace(/\/+$/, '');
  }

  /** Closes the idle connections (and any in use). */
  close(): void {
    this.agent.destroy();
  }

  /**
   * One request (chat, embeddings or completion) with one key. Resolves when the answer is complete; throws a
   * {@link RouteFailure} (kind 'key' for 401/403/429: the caller disables or rests the key).
   */
  call(
    lease: KeyLease,
    providerModel: string,
    job: RouteJob,
    sink: RouteSink,
  ): Promise<UpstreamResult> {
    const stream = job.task.kind !== 'embeddings' && job.task.request.stream === true;
    const options = job.body.stream_options;
    const body = stream
      ? {
          ...job.body,
          model: providerModel,
          stream_options:
            options !== null && typeof options === 'object'
              ? { ...options, include_usage: true }
              : { include_usage: true },
        }
      : { ...job.body, model: providerModel };
    const payload = Buffer.from(JSON.stringify(body));
    return this.send(lease, payload, stream, job, sink, true);
  }

  /** A GET under the base URL, e.g. `/models`, bounded by `timeoutMs` in all. */
  probe(path: string, lease: KeyLease, timeoutMs: number): Promise<ProbeAnswer> {
    return new Promise((resolve, reject) => {
      const req = this.request(
        {
          hostname: this.hostname,
          port: this.port,
          path: this.prefix + path,
          method: 'GET',
          agent: this.agent,
          headers: { authorization: lease.authorization, accept: 'application/json' },
        },
        (res) => {
          readLimited(res, (text) => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
          });
          res.on('error', fail);
        },
      );
      const timer = setTimeout(() => {
        fail(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      function fail(error: unknown) {
        clearTimeout(timer);
        req.destroy();
        reject(error);
      }
      req.on('error', fail);
      req.end();
    });
  }

  private send(
    lease: KeyLease,
    payload: Buffer,
    stream: boolean,
    job: RouteJob,
    sink: RouteSink,
    mayRetry: boolean,
  ): Promise<UpstreamResult> {
    const { signal } = job;
    if (signal.aborted) {
      return Promise.reject(new RouteFailure('the client closed the request', 'link'));
    }
    return new Promise<UpstreamResult>((resolve, reject) => {
      let settled = false;
      let responded = false;
      let reused = false;
      let connectTimer: NodeJS.Timeout | undefined;
      const output = new ChatOutput(sink, lease.key);
      const { produced } = output;

      const cleanUp = () => {
        settled = true;
        clearTimeout(firstOutputTimer);
        if (connectTimer) clearTimeout(connectTimer);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (failure: RouteFailure) => {
        if (settled) return;
        cleanUp();
        req.destroy();
        reject(failure);
      };
      const succeed = (result: UpstreamResult) => {
        if (settled) return;
        cleanUp();
        resolve(result);
      };
      const finish = (body?: Record<string, unknown>) => succeed(output.result(job, body));

      const onAbort = () =>
        fail(
          new RouteFailure('the client closed the request', 'link', {
            afterOutput: produced.chunks > 0,
            produced,
          }),
        );
      const firstOutputTimer = setTimeout(() => {
        fail(
          new RouteFailure(
            `upstream produced nothing within ${job.firstTokenTimeoutMs} ms`,
            'timeout',
          ),
        );
      }, job.firstTokenTimeoutMs);

      /** One SSE `data` event. */
      const onEvent = (data: string) => {
        if (settled) return;
        const outcome = output.event(data);
        if (outcome === 'done') return finish();
        if (outcome) return fail(outcome);
        if (output.firstChunkAt !== null) clearTimeout(firstOutputTimer);
      };

      const onResponse = (res: IncomingMessage) => {
        responded = true;
        const status = res.statusCode ?? 0;
        res.on('error', () => undefined); // 'close' below says what happened
        if (status < 200 || status >= 300) {
          readLimited(res, (text) =>
            fail(statusFailure(status, text, res.headers, lease.key, this.now())),
          );
          res.on('close', () => fail(brokenStream(`upstream error ${status}`, produced, status)));
          return;
        }
        if (stream) {
          const parser = new SseParser(onEvent);
          res.setEncoding('utf8');
          res.on('data', (text: string) => parser.push(text));
          res.on('end', () => {
            parser.end();
            if (settled) return;
            if (output.finishReason !== null) return finish();
            fail(brokenStream('upstream stream ended before it finished', produced));
          });
        } else {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () => {
            const text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts)).toString();
            const answer = output.answer(text, status);
            if (answer instanceof RouteFailure) fail(answer);
            else finish(answer);
          });
        }
        res.on('close', () => {
          if (!settled)
            fail(
              connectFailure(
                Object.assign(new Error('aborted'), { code: 'ECONNRESET' }),
                lease.key,
                produced,
              ),
            );
        });
      };

      const req: ClientRequest = this.request(
        {
          hostname: this.hostname,
          port: this.port,
          path: this.prefix + TASK_PATHS[job.task.kind],
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            'content-length': payload.length,
            accept: stream ? 'text/event-stream' : 'application/json',
            authorization: lease.authorization,
          },
        },
        onResponse,
      );
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          reused = true;
          return;
        }
        connectTimer = setTimeout(() => {
          fail(
            new RouteFailure(
              `could not connect to the upstream within ${job.connectTimeoutMs} ms`,
              'timeout',
            ),
          );
        }, job.connectTimeoutMs);
        socket.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('error', (error) => {
        if (settled) return;
        // A kept-alive socket the provider had just closed: once more, on a fresh one.
        if (mayRetry && reused && !responded && isStale(error)) {
          cleanUp();
          this.send(lease, payload, stream, job, sink, false).then(resolve, reject);
          return;
        }
        fail(connectFailure(error, lease.key, produced));
      });
      signal.addEventListener('abort', onAbort, { once: true });
      req.end(payload);
    });
  }
}

/** Reads at most {@link ERROR_BODY_LIMIT} bytes of `res` as text, then drains the rest. */
function readLimited(res: IncomingMessage, done: (text: string) => void): void {
  const parts: Buffer[] = [];
  let size = 0;
  res.on('data', (part: Buffer) => {
    if (size >= ERROR_BODY_LIMIT) return;
    parts.push(part);
    size += part.length;
  });
  res.on('end', () => done(Buffer.concat(parts).subarray(0, ERROR_BODY_LIMIT).toString()));
}
