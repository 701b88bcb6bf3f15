/**
 * Jobs offered over one link: admit or reject each offer at once, then generate, streaming
 * `job.chunk` frames and ending with `job.done` or `job.error`. A cancelled or aborted job
 * sends nothing more. When the node pauses, jobs that have produced nothing are handed back
 * (`job.reject` 'paused', so the gateway tries another node) and running ones are stopped
 * with a `job.error` once the grace period is over. Prompts and completions are never logged.
 */
import type {
  GatewayFrame,
  JobRejectReason,
  ModelPrice,
  NodeFrame,
} from '../../../common/protocol.js';
import { ApiError, toApiError } from '../../../common/openaiErrors.js';
import { float32ToBase64 } from '../../../common/openaiEmbeddings.js';
import type { GenerationResult, ModelHost } from '../inference/modelHost.js';
import type { Logger } from '../../../common/log.js';
import { ChunkText } from './chunkText.js';

/** What the link needs of a served model (a {@link ModelHost} has it all). */
export type LinkModelHost = Pick<ModelHost, 'id' | 'freeSlots' | 'generate'> &
  Partial<Pick<ModelHost, 'embed' | 'complete'>>;

/** What a job produced, whatever its kind. */
type JobResult = Pick<
  GenerationResult,
  'finishReason' | 'promptTokens' | 'completionTokens' | 'timeToFirstTokenMs' | 'durationMs'
>;

/** The model an offer names, whatever its kind. */
function offeredModel(frame: OfferFrame): string {
  return frame.request?.model ?? frame.embeddings?.model ?? frame.completion?.model ?? '';
}

/** One model offered to the network, with its price. */
export interface LinkModel {
  host: LinkModelHost;
  /** USD per 1M prompt and completion tokens; offers must carry exactly this price. */
  price: ModelPrice;
  /** Inference slots of the model: at most this many link jobs run at once. */
  slots: number;
  /** Tokens one request may hold, prompt plus completion. */
  contextLength: number;
  /** The SHA-256 of the model's file, once known (announced for the gateway's cache). */
  sha256?: string;
}

/**
 * How a job ended: `cancelled` by the gateway, `aborted` because the link went away,
 * `handed_back` to the gateway before its first token, `stopped` by a pause.
 */
export type JobOutcome = 'done' | 'error' | 'cancelled' | 'aborted' | 'handed_back' | 'stopped';

/** Reported once per accepted job, after its generation has fully stopped. */
export interface JobEnd {
  jobId: string;
  model: string;
  outcome: JobOutcome;
  /** Text chunks generated (sent or not). */
  chunks: number;
  /** The price the job was accepted at. */
  price: ModelPrice;
  promptTokens?: number;
  completionTokens?: number;
}

type OfferFrame = Extract<GatewayFrame, { type: 'job.offer' }>;

type StopKind = 'cancelled' | 'aborted' | 'handed_back' | 'stopped';

interface RunningJob {
  model: string;
  controller: AbortController;
  /** Text chunks sent so far. */
  chunks: number;
  /** Its text on the way to the link. */
  text: ChunkText;
  /** Set when the job is stopped on purpose; then no more frames are sent for it. */
  stopped?: StopKind;
}

export interface JobRunnerOptions {
  send(frame: NodeFrame): void;
  /** Bytes queued on the link's socket, not yet written (text chunks are merged meanwhile). */
  backlog(): number;
  models(): readonly LinkModel[];
  /** Null while the node serves; otherwise why it takes no jobs (its schedule paused it). */
  pausedReason(): string | null;
  logger: Logger;
  /** Every offer refused, with its reason (for the served-request stats). */
  onReject?(reason: JobRejectReason, model: string): void;
  onJobEnd?(end: JobEnd): void;
}

function samePrice(a: ModelPrice, b: ModelPrice): boolean {
  return a.prompt === b.prompt && a.completion === b.completion;
}

/** The jobs of one link connection. */
export class JobRunner {
  private readonly jobs = new Map<string, RunningJob>();
  private closing = false;

  constructor(private readonly options: JobRunnerOptions) {}

  /** Jobs accepted and not yet ended. */
  get size(): number {
    return this.jobs.size;
  }

  private running(model: string): number {
    let count = 0;
    for (const job of this.jobs.values()) if (job.model === model) count++;
    return count;
  }

  private reject(jobId: string, reason: JobRejectReason, message: string, model: string): void {
    this.options.logger.debug('job rejected', { jobId, reason });
    this.options.send({ type: 'job.reject', jobId, reason, message: message.slice(0, 1024) });
    this.options.onReject?.(reason, model);
  }

  /** Answers an offer with `job.accept` or `job.reject`, then runs an accepted job. */
  offer(frame: OfferFrame): void {
    const { jobId, price } = frame;
    const modelId = offeredModel(frame);
    const reject = (reason: JobRejectReason, message: string) =>
      this.reject(jobId, reason, message, modelId);
    if (this.closing) return reject('shutting_down', 'the node is shutting down');
    if (this.jobs.has(jobId)) return reject('invalid', `job ${jobId} is already running`);
    const paused = this.options.pausedReason();
    if (paused !== null) return reject('paused', paused);
    const model = this.options.models().find((candidate) => candidate.host.id === modelId);
    if (!model) return reject('model', `model '${modelId}' is not served here`);
    if ((frame.embeddings && !model.host.embed) || (frame.completion && !model.host.complete)) {
      return reject('model', `model '${modelId}' does not serve this kind of job here`);
    }
    if (!samePrice(price, model.price)) {
      return reject(
        'price',
        `model '${model.host.id}' costs ${model.price.prompt} per 1M prompt and ${model.price.completion} per 1M completion tokens here`,
      );
    }
    // Accepted jobs may still be waiting for their slot, so count them too.
    const free = Math.min(model.host.freeSlots, model.slots - this.running(model.host.id));
    if (free <= 0) return reject('busy', `all ${model.slots} slots are busy`);

    const job: RunningJob = {
      model: model.host.id,
      controller: new AbortController(),
      chunks: 0,
      text: new ChunkText(
        (text) => {
          if (!job.stopped)
            this.options.send({ type: 'job.chunk', jobId, index: job.chunks++, text });
        },
        () => this.options.backlog() > 0,
      ),
    };
    this.jobs.set(jobId, job);
    this.options.send({ type: 'job.accept', jobId });
    void this.run(jobId, frame, model, job);
  }

  private async run(jobId: string, frame: OfferFrame, model: LinkModel, job: RunningJob) {
    const { logger, send } = this.options;
    const end: JobEnd = { jobId, model: job.model, outcome: 'done', chunks: 0, price: frame.price };
    logger.debug('job started', { jobId, model: job.model });
    try {
      const result = await this.execute(jobId, frame, model.host, job);
      if (!job.stopped) job.text.flush();
      end.chunks = job.chunks;
      if (job.stopped) {
        end.outcome = job.stopped;
      } else {
        send({
          type: 'job.done',
          jobId,
          finishReason: result.finishReason,
          usage: { promptTokens: result.promptTokens, completionTokens: result.completionTokens },
          timings: { timeToFirstTokenMs: result.timeToFirstTokenMs, durationMs: result.durationMs },
        });
        end.promptTokens = result.promptTokens;
        end.completionTokens = result.completionTokens;
        logger.info('job done', {
          jobId,
          model: job.model,
          promptTokens: result.promptTokens,
          completionTokens: result.completionTokens,
          ms: Math.round(result.durationMs),
        });
      }
    } catch (error) {
      if (!job.stopped) job.text.flush();
      end.chunks = job.chunks;
      if (job.stopped) {
        end.outcome = job.stopped;
      } else {
        end.outcome = 'error';
        const apiError = toApiError(error);
        logger.warn('job failed', {
          jobId,
          model: job.model,
          status: apiError.status,
          code: apiError.code,
        });
        send({
          type: 'job.error',
          jobId,
          error: {
            status: apiError.status,
            message: apiError.message.slice(0, 4096),
            type: apiError.type.slice(0, 128),
            code: apiError.code?.slice(0, 128) ?? null,
            param: apiError.param?.slice(0, 256) ?? null,
          },
        });
      }
    } finally {
      job.text.drop();
      this.jobs.delete(jobId);
    }
    if (end.outcome !== 'done' && end.outcome !== 'error') {
      logger.info(`job ${end.outcome.replace('_', ' ')}`, {
        jobId,
        model: job.model,
        chunks: job.chunks,
      });
    }
    try {
      this.options.onJobEnd?.(end);
    } catch (error) {
      logger.error('job end listener failed', { error: String(error) });
    }
  }

  /** Runs the offered work: a chat completion, a text completion, or embeddings. */
  private async execute(
    jobId: string,
    frame: OfferFrame,
    host: LinkModelHost,
    job: RunningJob,
  ): Promise<JobResult> {
    const { send } = this.options;
    const signal = job.controller.signal;
    const onText = (text: string) => {
      if (!job.stopped) job.text.push(text);
    };
    if (frame.embeddings) {
      const { vectors, promptTokens, durationMs } = await host.embed!(frame.embeddings.input, {
        signal,
        source: 'network',
      });
      const { dimensions } = frame.embeddings;
      if (dimensions && vectors[0] && vectors[0].length !== dimensions) {
        throw ApiError.invalidRequest(
          `Model '${host.id}' makes embeddings of ${vectors[0].length} dimensions, not ${dimensions}`,
          'dimensions',
        );
      }
      for (const [index, vector] of vectors.entries()) {
        if (job.stopped) break;
        job.chunks++;
        send({ type: 'job.vector', jobId, index, vector: float32ToBase64(vector) });
      }
      return {
        finishReason: 'stop',
        promptTokens,
        completionTokens: 0,
        timeToFirstTokenMs: null,
        durationMs,
      };
    }
    if (frame.completion) {
      return host.complete!(frame.completion, { signal, source: 'network', onText });
    }
    return host.generate(frame.request!, {
      signal,
      source: 'network',
      // A job failed over from a node that died mid-stream: continue the text already sent.
      continuation: frame.continuation?.text,
      onText,
      onToolCalls: (deltas) => {
        if (job.stopped || deltas.length === 0) return;
        job.text.flush();
        send({
          type: 'job.chunk',
          jobId,
          index: job.chunks++,
          text: '',
          delta: { tool_calls: deltas },
        });
      },
    });
  }

  /** Stops a job at the gateway's request; nothing more is sent for it. */
  cancel(jobId: string, reason: string): void {
    const job = this.jobs.get(jobId);
    if (!job || job.stopped) {
      this.options.logger.debug('cancel for a job not running', { jobId });
      return;
    }
    job.stopped = 'cancelled';
    job.controller.abort(new Error(`cancelled by the gateway: ${reason}`));
  }

  /**
   * The node is pausing: jobs that have sent no text yet go back to the gateway (which offers
   * them to another node). Returns how many.
   */
  handBack(reason: string): number {
    let count = 0;
    for (const [jobId, job] of this.jobs) {
      if (job.stopped || job.chunks > 0) continue;
      job.stopped = 'handed_back';
      job.controller.abort(new Error(reason));
      this.options.send({ type: 'job.reject', jobId, reason: 'paused', message: reason });
      count++;
    }
    return count;
  }

  /** Ends every running job with a 503 `node_paused` error (the grace period is over). */
  stopAll(reason: string): number {
    let count = 0;
    for (const [jobId, job] of this.jobs) {
      if (job.stopped) continue;
      job.stopped = 'stopped';
      job.controller.abort(new Error(reason));
      this.options.send({
        type: 'job.error',
        jobId,
        error: {
          status: 503,
          message: `The node stopped this job: ${reason}`.slice(0, 4096),
          type: 'server_error',
          code: 'node_paused',
          param: null,
        },
      });
      count++;
    }
    return count;
  }

  /** Stops every job (the link is gone or closing) and rejects new offers. */
  abortAll(reason: string): void {
    this.closing = true;
    for (const job of this.jobs.values()) {
      if (job.stopped) continue;
      job.stopped = 'aborted';
      job.controller.abort(new Error(reason));
    }
  }
}
