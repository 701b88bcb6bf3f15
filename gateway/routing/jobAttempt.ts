/**
 * One try of a job on one node: offer, wait for the verdict, relay chunks, and tell apart
 * failures before the first chunk (the router may try another node) from failures after it
 * (the client's stream has started and must end with an error).
 */
import { ApiError } from '../../common/openaiErrors.js';
import type { ChatCompletionRequest } from '../../common/openai.js';
import type { ModelPrice } from '../../common/protocol.js';
import type { JobDoneFrame, JobErrorBody, NodeSession } from '../link/nodeSession.js';

/** How a try ended, when it ended before any output or with success. */
export type AttemptOutcome =
  | { kind: 'done'; frame: JobDoneFrame }
  | {
      kind: 'failed';
      why: 'rejected' | 'error' | 'link' | 'timeout';
      detail: string;
      error?: JobErrorBody;
    };

export interface AttemptOptions {
  /** Aborts when the client goes away: the node is told to cancel. */
  signal: AbortSignal;
  /** How long the node has to accept or reject. */
  offerTimeoutMs: number;
  onChunk(text: string): void;
}

/** The error a caller gets when its client went away. */
export function clientGoneError(): ApiError {
  return new ApiError(
    499,
    'The client closed the request',
    'invalid_request_error',
    'client_closed',
  );
}

function nodeGoneError(): ApiError {
  return new ApiError(
    502,
    'The node serving this request went offline while generating',
    'server_error',
    'node_disconnected',
  );
}

/**
 * Offers the job to `session`. Resolves with `done`, or `failed` if nothing was streamed
 * yet; rejects with an {@link ApiError} for a failure after the first chunk or a client abort.
 */
export function runAttempt(
  session: NodeSession,
  jobId: string,
  request: ChatCompletionRequest,
  price: ModelPrice,
  options: AttemptOptions,
): Promise<AttemptOutcome> {
  const { signal } = options;
  return new Promise<AttemptOutcome>((resolve, reject) => {
    let started = false;
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(offerTimer);
      signal.removeEventListener('abort', onAbort);
      action();
    };
    const failBefore = (why: 'rejected' | 'error' | 'link' | 'timeout', detail: string) =>
      settle(() => resolve({ kind: 'failed', why, detail }));
    const onAbort = () =>
      settle(() => {
        session.cancel(jobId, 'client disconnected');
        reject(clientGoneError());
      });
    const offerTimer = setTimeout(() => {
      session.cancel(jobId, 'offer timed out');
      failBefore('timeout', `no answer within ${options.offerTimeoutMs} ms`);
    }, options.offerTimeoutMs);

    const accepted = session.offer(jobId, request, price, {
      accepted: () => clearTimeout(offerTimer),
      rejected: (reason, message) => {
        if (!started) return failBefore('rejected', `${reason}: ${message}`);
        settle(() => reject(nodeGoneError()));
      },
      chunk: (text) => {
        if (settled) return;
        clearTimeout(offerTimer);
        started = true;
        try {
          options.onChunk(text);
        } catch {
          // Writing to a client that is going away; its abort signal ends the job.
        }
      },
      done: (frame) => settle(() => resolve({ kind: 'done', frame })),
      failed: (error) => {
        if (!started) {
          return settle(() =>
            resolve({ kind: 'failed', why: 'error', detail: error.message, error }),
          );
        }
        settle(() =>
          reject(new ApiError(error.status, error.message, error.type, error.code, error.param)),
        );
      },
      linkLost: (reason) => {
        if (!started) return failBefore('link', reason);
        settle(() => reject(nodeGoneError()));
      },
    });
    if (!accepted) return failBefore('link', 'node went offline');
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
