/**
 * One chat generation on one slot: plain text (with an optional `response_format` grammar),
 * or tool calling (see toolCalling.ts). Every output goes through one {@link ChatReply}, so
 * that the streamed deltas and the whole message are the same thing.
 */
import type {
  ChatWrapper,
  LlamaChat,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
  LlamaText,
  Token,
} from 'node-llama-cpp';
import { ChatReply, ToolCallDeltas, type ToolCallDelta } from '../../../common/chatDelta.js';
import {
  stopSequences,
  type ChatCompletionRequest,
  type FinishReason,
} from '../../../common/openai.js';
import type { ToolCall } from '../../../common/openaiTools.js';
import {
  baseSamplingOptions,
  ContinuationFirstChunk,
  samplingOptions,
  toChatHistory,
  type GrammarCache,
} from './chatRequest.js';
import {
  argumentsGrammar,
  callSyntax,
  forcedCallHistory,
  toolMode,
  type ToolMode,
} from './toolCalling.js';
import type { StepBarrier } from './stepBarrier.js';
import { generateTokens, stopTriggersOf } from './tokenLoop.js';

const FINISH_REASONS: Record<string, FinishReason> = {
  maxTokens: 'length',
  eogToken: 'stop',
  stopGenerationTrigger: 'stop',
  customStopTrigger: 'stop',
  functionCalls: 'tool_calls',
};

/** Tokens the name of a forced call may take at most. */
const MAX_NAME_TOKENS = 64;

export interface ChatRun {
  /** The model's chat format. */
  chatWrapper: ChatWrapper;
  /** node-llama-cpp's chat on the slot, made on first use: only tool calls need it. */
  chat(): LlamaChat;
  model: LlamaModel;
  /** The slot's sequence (the chat's own), for the lean path. */
  sequence: LlamaContextSequence;
  /** Keeps the context's generating sequences in one decode. */
  barrier: StepBarrier;
  grammars: GrammarCache;
  request: ChatCompletionRequest;
  /** The `response_format` grammar, if any. */
  grammar: LlamaGrammar | undefined;
  continuation: string | undefined;
  signal: AbortSignal;
  /** Called with each piece of content. */
  onText(text: string): void;
  /** Called with each tool-call fragment, in OpenAI's shape. */
  onToolCalls(deltas: ToolCallDelta[]): void;
}

export interface ChatOutput {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
}

/** The prompt, and what ends a reply in the chat wrapper's format. */
export interface ChatPrompt {
  tokens: Token[];
  stopGenerationTriggers: readonly LlamaText[];
}

/**
 * The prompt: the history with the tools documented as the chat wrapper documents them, or
 * for a forced call the history it is generated from (with the call opened).
 */
export function chatPrompt(
  run: Pick<ChatRun, 'chatWrapper' | 'model' | 'request' | 'continuation'>,
): ChatPrompt {
  const mode = toolMode(run.request);
  const history = toChatHistory(run.request, run.continuation);
  const state =
    mode.kind === 'forced'
      ? {
          chatHistory: forcedCallHistory(
            run.chatWrapper,
            history,
            mode.functions,
            forcedHead(run.chatWrapper, mode),
          ),
        }
      : {
          chatHistory: history,
          availableFunctions: mode.kind === 'none' ? undefined : mode.functions,
          documentFunctionParams: true,
        };
  const { contextText, stopGenerationTriggers } = run.chatWrapper.generateContextState(state);
  return { tokens: contextText.tokenize(run.model.tokenizer), stopGenerationTriggers };
}

/** Where a forced call's reply starts: the call syntax, and the name when it is known. */
function forcedHead(wrapper: ChatWrapper, mode: Extract<ToolMode, { kind: 'forced' }>): string {
  const { prefix, paramsPrefix } = callSyntax(wrapper);
  return mode.names.length === 1 ? prefix + mode.names[0]! + paramsPrefix : prefix;
}

/** Generates the reply to `prompt`, streaming it through the run's callbacks. */
export async function generateChat(
  run: ChatRun,
  prompt: ChatPrompt,
  maxTokens: number,
): Promise<ChatOutput> {
  const mode = toolMode(run.request);
  const reply = new ChatReply();
  const deltas = new ToolCallDeltas();
  const emitText = (text: string) => {
    if (text === '') return;
    reply.add({ content: text });
    run.onText(text);
  };
  const emitCall = (index: number, name: string, args: string) => {
    const pieces = deltas.piece(index, name, args);
    if (pieces.length === 0) return;
    reply.add({ tool_calls: pieces });
    run.onToolCalls(pieces);
  };
  const finishReason =
    mode.kind === 'forced'
      ? await forcedCall(run, mode, maxTokens, emitCall)
      : mode.kind === 'none'
        ? await textReply(run, prompt, maxTokens, emitText)
        : await freeReply(run, mode, maxTokens, emitText, emitCall);
  if (run.signal.aborted) throw run.signal.reason;
  return {
    text: reply.content,
    toolCalls: [...reply.toolCalls],
    finishReason: finishReason === 'stop' && deltas.count > 0 ? 'tool_calls' : finishReason,
  };
}

/** Text only (with the `response_format` grammar, if any), on the lean path. */
function textReply(
  run: ChatRun,
  prompt: ChatPrompt,
  maxTokens: number,
  emitText: (text: string) => void,
): Promise<FinishReason> {
  const triggers = stopTriggersOf(prompt.stopGenerationTriggers, run.model);
  return generateTokens({
    model: run.model,
    sequence: run.sequence,
    prompt: prompt.tokens,
    maxTokens,
    sampling: baseSamplingOptions(run.request),
    grammar: run.grammar,
    stops: [...stopSequences(run.request), ...triggers.stops],
    stopTokens: triggers.stopTokens,
    // A continued reply's first piece keeps its leading space; a new reply's has none.
    leadTokens: run.continuation ? prompt.tokens : undefined,
    barrier: run.barrier,
    signal: run.signal,
    onText: emitText,
  });
}

/** With `auto`: text, or whatever calls the model chooses to make. */
async function freeReply(
  run: ChatRun,
  mode: Extract<ToolMode, { kind: 'auto' }>,
  maxTokens: number,
  emitText: (text: string) => void,
  emitCall: (index: number, name: string, args: string) => void,
): Promise<FinishReason> {
  const history = toChatHistory(run.request, run.continuation);
  const firstChunk = run.continuation
    ? new ContinuationFirstChunk(run.model, run.continuation)
    : undefined;
  const common = {
    ...samplingOptions(run.request),
    maxTokens,
    signal: run.signal,
    stopOnAbortSignal: true,
    onToken: firstChunk ? (tokens: Token[]) => firstChunk.onToken(tokens) : undefined,
    onTextChunk: (text: string) => emitText(firstChunk ? firstChunk.chunk(text) : text),
  };
  const result = await run.chat().generateResponse(history, {
    ...common,
    functions: mode.functions,
    documentFunctionParams: true,
    maxParallelFunctionCalls: run.request.parallel_tool_calls === false ? 1 : undefined,
    onFunctionCallParamsChunk: (chunk) =>
      emitCall(chunk.callIndex, chunk.functionName, chunk.paramsChunk),
  });
  return FINISH_REASONS[result.metadata.stopReason] ?? 'stop';
}

/**
 * A call the model must make: a grammar picks the name (when several tools are allowed),
 * then the arguments are generated under the tool's schema and streamed as they come.
 */
async function forcedCall(
  run: ChatRun,
  mode: Extract<ToolMode, { kind: 'forced' }>,
  maxTokens: number,
  emitCall: (index: number, name: string, args: string) => void,
): Promise<FinishReason> {
  const history = toChatHistory(run.request);
  const { prefix, paramsPrefix } = callSyntax(run.chatWrapper);
  // Stop sequences would cut the arguments short, so they do not apply to a forced call.
  const sampling = { ...samplingOptions(run.request), customStopTriggers: [] };
  let name = mode.names[0]!;
  let left = maxTokens;
  if (mode.names.length > 1) {
    const picked = await run
      .chat()
      .generateResponse(forcedCallHistory(run.chatWrapper, history, mode.functions, prefix), {
        ...sampling,
        grammar: await run.grammars.forOneOf(mode.names),
        maxTokens: Math.min(MAX_NAME_TOKENS, left),
        signal: run.signal,
        stopOnAbortSignal: true,
      });
    if (run.signal.aborted) return 'stop';
    if (picked.metadata.stopReason === 'maxTokens') return 'length';
    name = mode.names.find((candidate) => candidate === picked.response) ?? name;
    left -= run.model.tokenize(picked.response).length;
  }
  emitCall(0, name, '');
  if (left <= 0) return 'length';
  const tool = run.request.tools?.find((candidate) => candidate.function.name === name);
  const result = await run
    .chat()
    .generateResponse(
      forcedCallHistory(run.chatWrapper, history, mode.functions, prefix + name + paramsPrefix),
      {
        ...sampling,
        grammar: await argumentsGrammar(tool, run.grammars),
        maxTokens: left,
        signal: run.signal,
        stopOnAbortSignal: true,
        onTextChunk: (text) => emitCall(0, name, text),
      },
    );
  return result.metadata.stopReason === 'maxTokens' ? 'length' : 'tool_calls';
}
