/**
 * A node route: one node's link session as a {@link Route}. A try offers the job, waits for
 * the verdict, relays chunks, and tells apart failures before the first chunk (the router
 * tries another route) from failures after it (the router may continue the stream on
 * another node, from the text relayed so far).
 */
import { ChatReply } from '../../common/chatDelta.js';
import { ApiError } from '../../common/openaiErrors.js';
import { callsTools } from '../../common/openaiTools.js';
import type { ModelCapability, ModelPrice } from '../../common/protocol.js';
import { boundUsage, outputBytesBound } from '../accounting/usageBounds.js';
import type { JobErrorBody, NodeSession } from '../link/nodeSession.js';
import type { Logger } from '../../common/log.js';
import type { Clock } from '../../common/node/timers.js';
import type { NodeScores } from './nodeScore.js';
import type { NodeStanding } from './nodeStanding.js';
import { NodeVectors } from './nodeVectors.js';
import {
  RouteFailure,
  type KeyState,
  type Route,
  type RouteCapacity,
  type RouteJob,
  type RouteResult,
  type RouteSink,
  taskModel,
} from './route.js';

/** The route id of a node. */
export const nodeRouteId = (nodeId: string): string => `node:${nodeId}`;

export class NodeRoute implements Route {
  readonly kind = 'node' as const;
  readonly label = 'node';
  readonly id: string;
  readonly nodeId: string;
  readonly ownerOrgId: string;
  onCapacity?: () => void;

  constructor(
    readonly session: NodeSession,
    private readonly maxPrice: ModelPrice,
    private readonly standing: NodeStanding,
    private readonly logger: Logger,
    /** Runs the offer, first-token and stall deadlines. */
    private readonly clock: Clock,
    /** Where what the gateway saw of the node goes (its reliability score). */
    private readonly scores?: NodeScores,
  ) {
    this.id = nodeRouteId(session.nodeId);
    this.nodeId = session.nodeId;
    this.ownerOrgId = session.orgId;
  }

  models(): string[] {
    return this.session.announcedModels().map((model) => model.id);
  }

  /** The node's price, if it fits under the gateway's ceiling for nodes. */
  priceFor(model: string): ModelPrice | undefined {
    const price = this.session.announced(model)?.price;
    if (!price) return undefined;
    const fits =
      price.prompt <= this.maxPrice.prompt && price.completion <= this.maxPrice.completion;
    return fits ? price : undefined;
  }

  /** Whether the node said it can continue a stream another node began. */
  get continues(): boolean {
    return this.session.can('continuation');
  }

  supports(model: string, capability: ModelCapability): boolean {
    const announced = this.session.announced(model);
    if (!announced) return false;
    // A node from before capabilities were announced always did response_format grammars.
    return (announced.capabilities ?? ['json_schema']).includes(capability);
  }

  costFor(): ModelPrice | null {
    return null;
  }

  capacity(model: string): RouteCapacity {
    const announced = this.session.announced(model);
    if (!this.session.isOnline || !this.session.serving || !announced) return 'unavailable';
    if (!this.priceFor(model)) return 'unavailable';
    return this.session.inFlight(model) >= announced.slots ? 'busy' : 'ready';
  }

  /**
   * Jobs of `model` in flight. Announced slots are only a cap (see {@link capacity}): a node
   * that announces many gains nothing in the ranking.
   */
  load(model: string): number {
    return this.session.inFlight(model);
  }

  inFlight(): number {
    return this.models().reduce((sum, model) => sum + this.session.inFlight(model), 0);
  }

  keyStates(): KeyState[] {
    return [];
  }

  async run(job: RouteJob, sink: RouteSink): Promise<RouteResult> {
    try {
      return await this.attempt(job, sink);
    } finally {
      this.onCapacity?.();
    }
  }

  private attempt(job: RouteJob, sink: RouteSink): Promise<RouteResult> {
    const { session } = this;
    const { jobId, task, signal } = job;
    const model = taskModel(task);
    const price = this.priceFor(model);
    if (!price) {
      return Promise.reject(new RouteFailure('the node no longer serves this model', 'rejected'));
    }
    const { clock } = this;
    const started = clock.now();
    // What the node streams is believed only in OpenAI's shape, calling declared tools.
    const chat = task.kind === 'chat' ? task.request : null;
    const reply = new ChatReply(new Set((chat?.tools ?? []).map((tool) => tool.function.name)));
    // The node refuses a `dimensions` other than its model's; vectors of another size are a fault.
    const vectors =
      task.kind === 'embeddings'
        ? new NodeVectors(task.inputs.length, task.request.dimensions ?? undefined)
        : null;
    const modelCap = session.announced(model)?.contextLength;
    const maxOutputBytes = outputBytesBound(task, modelCap);
    return new Promise<RouteResult>((resolve, reject) => {
      let chunks = 0;
      let outputBytes = 0;
      let settled = false;
      let accepted = false;
      let firstOutput = false;
      const scores = this.scores;
      const nodeId = this.nodeId;
      /** The first chunk or vector: the node's time to first token, as the gateway saw it. */
      const output = () => {
        if (firstOutput) return;
        firstOutput = true;
        scores?.firstToken(nodeId, model, clock.now() - started);
      };
      const produced = () => ({ text: reply.content, chunks });
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        action();
      };
      const fail = (message: string, kind: RouteFailure['kind'], status?: number) =>
        settle(() =>
          reject(
            new RouteFailure(message, kind, {
              afterOutput: chunks > 0,
              status,
              produced: produced(),
            }),
          ),
        );
      /** The node's output is out of shape: stop it, count the fault, try elsewhere. */
      const malformed = (why: string) => {
        session.cancel(jobId, 'malformed output');
        this.logger.warn('node sent malformed output; job stopped', {
          nodeId: this.nodeId,
          jobId,
          why,
        });
        this.standing.record(this.nodeId, 'malformed_output', why);
        scores?.failed(nodeId, model, 'malformed_output');
        fail(`the node sent malformed output: ${why}`, 'status', 502);
      };
      const onAbort = () => {
        session.cancel(jobId, 'client disconnected');
        fail('the client closed the request', 'link');
      };
      // Until accepted: the connect timeout; then until the first chunk: the first-token one.
      let timer = clock.setTimeout(() => {
        session.cancel(jobId, 'offer timed out');
        const why = `the node did not answer within ${job.connectTimeoutMs} ms`;
        this.standing.record(this.nodeId, 'offer_timeout', why);
        scores?.refused(nodeId, model, 'offer_timeout');
        fail(why, 'timeout');
      }, job.connectTimeoutMs);
      // After output: at most the stall timeout between two outputs (a stream then continues
      // on another node).
      const stallTimer = () => {
        clock.clearTimeout(timer);
        timer = clock.setTimeout(() => {
          session.cancel(jobId, 'stalled');
          this.logger.warn('node stalled mid-job', {
            nodeId: this.nodeId,
            jobId,
            silentMs: job.stallTimeoutMs,
          });
          const why = `the node went silent for ${job.stallTimeoutMs} ms mid-job`;
          this.standing.record(this.nodeId, 'stall', why);
          scores?.failed(nodeId, model, 'stalled');
          fail(why, 'timeout');
        }, job.stallTimeoutMs);
      };
      const firstTokenTimer = () => {
        clock.clearTimeout(timer);
        const left = Math.max(0, job.firstTokenTimeoutMs - (clock.now() - started));
        timer = clock.setTimeout(() => {
          session.cancel(jobId, 'no output in time');
          const why = `the node produced nothing within ${job.firstTokenTimeoutMs} ms`;
          this.standing.record(this.nodeId, 'no_output', why);
          scores?.failed(nodeId, model, 'no_output');
          fail(why, 'timeout');
        }, left);
      };

      const offered = session.offer(
        jobId,
        task,
        price,
        {
          accepted: () => {
            if (settled) return;
            accepted = true;
            scores?.accepted(nodeId);
            firstTokenTimer();
          },
          rejected: (reason, message) => {
            if (!settled && reason !== 'busy') scores?.refused(nodeId, model, 'offer_rejected');
            fail(
              `node rejected the job (${reason}): ${message}`,
              reason === 'busy' ? 'busy' : 'rejected',
            );
          },
          chunk: (delta) => {
            if (settled) return;
            try {
              if (vectors) throw new Error('text for an embeddings job');
              if (delta.tool_calls && !(chat && callsTools(chat))) {
                throw new Error('a tool call the request did not ask for');
              }
              outputBytes +=
                Buffer.byteLength(delta.content ?? '') +
                (delta.tool_calls ? Buffer.byteLength(JSON.stringify(delta.tool_calls)) : 0);
              if (outputBytes > maxOutputBytes) {
                throw new Error(`more than the ${maxOutputBytes} bytes its token budget allows`);
              }
              reply.add(delta);
            } catch (error) {
              return malformed((error as Error).message);
            }
            output();
            stallTimer();
            chunks++;
            try {
              sink.delta(delta);
            } catch {
              // Writing to a client that is going away; its abort signal ends the job.
            }
          },
          vector: (index, vector) => {
            if (settled) return;
            try {
              if (!vectors) throw new Error('a vector for a job that is not embeddings');
              vectors.add(index, vector);
            } catch (error) {
              return malformed((error as Error).message);
            }
            // Nothing reaches the client before the last one: the job may still fail over.
            output();
            stallTimer();
          },
          done: (frame) => {
            let embedded: Float32Array[] | undefined;
            try {
              embedded = vectors?.all();
            } catch (error) {
              return malformed((error as Error).message);
            }
            settle(() => {
              // The node's usage is believed only up to what the gateway relayed.
              // A continuation's prompt holds the text streamed before it, too.
              const relayed = reply.content + toolCallText(reply);
              const bounded = boundUsage(
                frame.usage,
                task,
                relayed,
                job.continuation?.text,
                modelCap,
              );
              if (bounded.overReported) {
                this.logger.warn('node over-reported usage; billed at the bound', {
                  nodeId: this.nodeId,
                  jobId,
                  reportedPrompt: frame.usage.promptTokens,
                  reportedCompletion: frame.usage.completionTokens,
                  billedPrompt: bounded.usage.promptTokens,
                  billedCompletion: bounded.usage.completionTokens,
                });
                this.standing.record(
                  this.nodeId,
                  'usage_over_report',
                  `reported ${frame.usage.promptTokens}+${frame.usage.completionTokens} tokens, ` +
                    `billed ${bounded.usage.promptTokens}+${bounded.usage.completionTokens}`,
                );
              }
              scores?.finished(nodeId, bounded.usage.promptTokens + bounded.usage.completionTokens);
              resolve({
                finishReason: frame.finishReason,
                usage: bounded.usage,
                ...(embedded ? { vectors: embedded } : {}),
              });
            });
          },
          failed: (error) => {
            // A 4xx is about the request (too long for the node's context, say), not the node.
            const nodeSide = error.status >= 500 || error.status === 408 || error.status === 429;
            if (!settled && nodeSide) scores?.failed(nodeId, model, 'job_failed');
            settle(() => reject(nodeFailure(error, chunks > 0, produced())));
          },
          linkLost: (reason) => {
            if (!settled && accepted) scores?.failed(nodeId, model, 'went_offline');
            fail(`the node went offline: ${reason}`, 'link');
          },
        },
        job.continuation,
      );
      if (!offered) return fail('the node went offline', 'link');
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A request field path such as `tools[1].function.parameters`. */
const FIELD_PATH = /^[a-z_]{1,40}(\[\d{1,4}\])?(\.[a-z_]{1,40}(\[\d{1,4}\])?){0,4}$/;

/**
 * A node's own error. A 4xx before output is about the request (say, too long for the
 * node's context) and may reach the client; its text is the node's, so it is relabelled.
 */
function nodeFailure(
  error: JobErrorBody,
  afterOutput: boolean,
  produced: { text: string; chunks: number },
): RouteFailure {
  // The node's text never reaches the client: only our own codes and fixed messages, and
  // the field it named when that is a plain field path.
  const known = error.code === 'context_length_exceeded';
  const param = error.param !== null && FIELD_PATH.test(error.param) ? error.param : null;
  const clientError =
    error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429
      ? new ApiError(
          error.status,
          known
            ? 'The request is longer than the model can take.'
            : param
              ? `The node serving this request refused '${param}'.`
              : 'The node serving this request refused it.',
          'invalid_request_error',
          known ? 'context_length_exceeded' : 'node_error',
          param ?? (known ? 'messages' : null),
        )
      : undefined;
  return new RouteFailure(`node error ${error.status}: ${operatorText(error.message)}`, 'status', {
    afterOutput,
    status: error.status,
    produced,
    clientError,
  });
}

/** The names and arguments of the tools called: what a tool call's tokens produced. */
function toolCallText(reply: ChatReply): string {
  return reply.toolCalls.map((call) => call.function.name + call.function.arguments).join('');
}

/** A node's text for the operator's log: control characters stripped, at most 200 chars. */
export function operatorText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = String(text).replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}
