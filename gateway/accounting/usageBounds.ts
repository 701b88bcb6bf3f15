/**
 * Bounds on the usage a node reports, from what the gateway itself saw. A node's word is
 * believed only up to these bounds; a report over them is billed at the bound.
 */
import {
  messageText,
  requestedMaxTokens,
  type ChatCompletionRequest,
} from '../../common/openai.js';
import { completionMaxTokens, completionPrompt } from '../../common/openaiCompletions.js';
import type { ToolCall } from '../../common/openaiTools.js';
import type { Task } from '../routing/route.js';

/** Tokens allowed beyond the relayed text for stop and special tokens. */
export const COMPLETION_ALLOWANCE_TOKENS = 16;
/**
 * Prompt margin: a token is at least one byte of text, and a chat template adds a few
 * tokens per message (role markers, separators) plus a fixed preamble. 16 tokens per
 * message and 64 tokens overall cover the common templates with room to spare.
 */
export const PROMPT_PER_MESSAGE_TOKENS = 16;
export const PROMPT_BASE_TOKENS = 64;
/**
 * With tools, the template documents them: their JSON (twice over, for the spacing and
 * quoting templates add) plus instructions on how to call them, which the common templates
 * keep well under this many tokens.
 */
export const PROMPT_TOOLS_TOKENS = 1024;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The most completion tokens a job that relayed `relayedText` can have produced. */
export function completionBound(
  request: ChatCompletionRequest,
  relayedText: string,
  modelCap?: number,
): number {
  const fromBytes = utf8Bytes(relayedText) + COMPLETION_ALLOWANCE_TOKENS;
  const asked = requestedMaxTokens(request) ?? modelCap;
  return asked === undefined ? fromBytes : Math.min(asked, fromBytes);
}

/**
 * The most prompt tokens the request can have taken through a chat template; `prefix` is
 * the reply a continued stream starts from, which the continuing node reads as prompt.
 */
export function promptBound(request: ChatCompletionRequest, prefix = ''): number {
  const bytes = request.messages.reduce(
    (sum, m) =>
      sum +
      utf8Bytes(messageText(m)) +
      (m.role === 'assistant' ? toolCallsBytes(m.tool_calls ?? []) : 0),
    0,
  );
  const tools = request.tools?.length
    ? 2 * utf8Bytes(JSON.stringify(request.tools)) + PROMPT_TOOLS_TOKENS
    : 0;
  return (
    bytes +
    tools +
    utf8Bytes(prefix) +
    PROMPT_PER_MESSAGE_TOKENS * (request.messages.length + (prefix ? 1 : 0)) +
    PROMPT_BASE_TOKENS
  );
}

/** Calls in the history: names, arguments and a call's syntax around them. */
function toolCallsBytes(calls: readonly ToolCall[]): number {
  return calls.reduce(
    (sum, call) =>
      sum + utf8Bytes(call.function.name + call.function.arguments) + PROMPT_PER_MESSAGE_TOKENS,
    0,
  );
}

export interface BoundedUsage {
  usage: { promptTokens: number; completionTokens: number };
  /** Whether the report was over a bound (a node fault). */
  overReported: boolean;
}

/** Bytes of text one token carries at most (the longest pieces of common vocabularies are far shorter). */
export const MAX_BYTES_PER_TOKEN = 128;
/** The most output the gateway holds for one try, whatever the token budget. */
export const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * The most output bytes (text and tool-call fragments) a try of `task` can honestly relay:
 * its token budget (`max_tokens`, else the model's context) at {@link MAX_BYTES_PER_TOKEN}.
 * A node that sends more is cut off, so a huge answer cannot fill the gateway's memory.
 */
export function outputBytesBound(task: Task, modelCap?: number): number {
  const tokens =
    task.kind === 'chat'
      ? (requestedMaxTokens(task.request) ?? modelCap)
      : task.kind === 'completions'
        ? completionMaxTokens(task.request)
        : 0;
  if (tokens === undefined) return MAX_OUTPUT_BYTES;
  return Math.min(MAX_OUTPUT_BYTES, (tokens + COMPLETION_ALLOWANCE_TOKENS) * MAX_BYTES_PER_TOKEN);
}

/** An input's tokens at most: a token array's length, or a text's bytes. */
const inputBound = (input: string | number[]): number =>
  typeof input === 'string' ? utf8Bytes(input) : input.length;

/** The most prompt and completion tokens a task can have taken, from what was relayed. */
function taskBounds(
  task: Task,
  relayedText: string,
  prefix: string,
  modelCap: number | undefined,
): { maxPrompt: number; maxCompletion: number } {
  switch (task.kind) {
    case 'chat':
      return {
        maxPrompt: promptBound(task.request, prefix),
        maxCompletion: completionBound(task.request, relayedText, modelCap),
      };
    case 'embeddings':
      // Each input may get a start and an end token.
      return {
        maxPrompt: task.inputs.reduce((sum, input) => sum + inputBound(input) + 2, 0),
        maxCompletion: 0,
      };
    case 'completions':
      return {
        maxPrompt: inputBound(completionPrompt(task.request)) + PROMPT_BASE_TOKENS,
        maxCompletion: Math.min(
          completionMaxTokens(task.request),
          utf8Bytes(relayedText) + COMPLETION_ALLOWANCE_TOKENS,
        ),
      };
  }
}

/** The reported usage clamped to the bounds; non-finite or negative counts become 0. */
export function boundUsage(
  reported: { promptTokens: number; completionTokens: number },
  task: Task,
  relayedText: string,
  prefix = '',
  modelCap?: number,
): BoundedUsage {
  const clean = (n: number) => (Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);
  const prompt = clean(reported.promptTokens);
  const completion = clean(reported.completionTokens);
  const { maxPrompt, maxCompletion } = taskBounds(task, relayedText, prefix, modelCap);
  return {
    usage: {
      promptTokens: Math.min(prompt, maxPrompt),
      completionTokens: Math.min(completion, maxCompletion),
    },
    overReported: prompt > maxPrompt || completion > maxCompletion,
  };
}

/**
 * Completion tokens a chat request without `max_tokens` reserves while a token limit or a
 * quota applies to it; it is then held to that many, so that it cannot outrun its reservation.
 */
export const DEFAULT_RESERVED_COMPLETION_TOKENS = 4096;

/** The most tokens a task can be billed for: its prompt's bound and its completion budget. */
export function worstCaseTokens(task: Task): { prompt: number; completion: number } {
  const { maxPrompt } = taskBounds(task, '', '', undefined);
  const completion =
    task.kind === 'chat'
      ? (requestedMaxTokens(task.request) ?? DEFAULT_RESERVED_COMPLETION_TOKENS)
      : task.kind === 'completions'
        ? completionMaxTokens(task.request)
        : 0;
  return { prompt: maxPrompt, completion };
}
