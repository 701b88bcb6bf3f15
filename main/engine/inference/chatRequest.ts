/** Turns an OpenAI chat request into node-llama-cpp chat history and sampling options. */
import type {
  ChatHistoryItem,
  ChatModelResponse,
  GbnfJsonSchema,
  Llama,
  LlamaGrammar,
  LlamaModel,
  Token,
} from 'node-llama-cpp';
import { messageText, stopSequences, type ChatCompletionRequest } from '../../../common/openai.js';
import { ApiError } from '../../../common/openaiErrors.js';

/**
 * The history to generate from, ending with the assistant turn to fill: empty, or holding
 * `continuation` (the reply's text so far, e.g. streamed by a node that died), which
 * node-llama-cpp then continues rather than starting a new reply. An assistant message's
 * `tool_calls` become function calls holding the `tool` messages' results, and the turn
 * after them continues that same model response, as node-llama-cpp's chat wrappers expect.
 */
export function toChatHistory(
  request: ChatCompletionRequest,
  continuation?: string,
): ChatHistoryItem[] {
  const results = new Map<string, string>();
  for (const message of request.messages) {
    if (message.role === 'tool') results.set(message.tool_call_id, messageText(message));
  }
  const history: ChatHistoryItem[] = [];
  const modelTurn = (): ChatModelResponse['response'] => {
    const last = history.at(-1);
    if (last?.type === 'model' && typeof last.response.at(-1) === 'object') return last.response;
    const turn: ChatModelResponse = { type: 'model', response: [] };
    history.push(turn);
    return turn.response;
  };
  for (const message of request.messages) {
    const text = messageText(message);
    if (message.role === 'tool') continue;
    if (message.role === 'assistant') {
      const response = modelTurn();
      if (text !== '') response.push(text);
      message.tool_calls?.forEach((call, index) =>
        response.push({
          type: 'functionCall',
          name: call.function.name,
          params: JSON.parse(call.function.arguments) as unknown,
          result: results.get(call.id) ?? '',
          startsNewChunk: index === 0,
        }),
      );
      continue;
    }
    history.push(message.role === 'user' ? { type: 'user', text } : { type: 'system', text });
  }
  const reply = modelTurn();
  if (continuation) reply.push(continuation);
  return history;
}

/** Characters of the continued text whose tokens are context for the first new chunk. */
const CONTEXT_TAIL_CHARS = 32;

/**
 * Keeps the first chunk of a continued reply intact. node-llama-cpp detokenizes a reply's
 * first tokens with no tokens before them, so an SPM tokenizer drops their leading space
 * (right at the start of a reply, but not in the middle of one): continuing "Once" it would
 * give "upon" where " upon" belongs. This detokenizes the first chunk again after the
 * continued text's last tokens, as the library does for every later chunk.
 */
export class ContinuationFirstChunk {
  private tokens: readonly Token[] | undefined;
  private done = false;
  /** The first chunk as the library gave it, and as corrected. */
  private raw = '';
  private fixed = '';

  constructor(
    private readonly model: Pick<LlamaModel, 'tokenize' | 'detokenize'>,
    private readonly continuation: string,
  ) {}

  /** For `onToken`: it is called with a chunk's tokens just before `onTextChunk`. */
  readonly onToken = (tokens: Token[]): void => {
    if (!this.done) this.tokens = tokens;
  };

  /** The text to send for a chunk (`onTextChunk`'s argument). */
  chunk(text: string): string {
    if (this.done) return text;
    this.done = true;
    if (!this.tokens) return text;
    const tail = Array.from(this.continuation).slice(-CONTEXT_TAIL_CHARS).join('');
    const context = this.model.tokenize(tail, false, 'trimLeadingSpace');
    const again = this.model.detokenize(this.tokens, false, context);
    // Only ever put back what was cut from the front, never change the text itself.
    if (again.length <= text.length || !again.endsWith(text)) return text;
    this.raw = text;
    this.fixed = again;
    return again;
  }

  /** The whole new text (`generateResponse`'s `response`), with the first chunk corrected. */
  response(text: string): string {
    if (this.fixed === '' || !text.startsWith(this.raw)) return text;
    return this.fixed + text.slice(this.raw.length);
  }
}

/** The sampling fields chat and text completions share. */
type SamplingFields = Pick<
  ChatCompletionRequest,
  'temperature' | 'top_p' | 'seed' | 'frequency_penalty' | 'presence_penalty'
>;

/**
 * Sampling in node-llama-cpp's terms, with OpenAI's defaults (temperature 1, top_p 1, no
 * penalties); stop sequences are the caller's.
 */
export function baseSamplingOptions(request: SamplingFields) {
  const frequencyPenalty = request.frequency_penalty ?? 0;
  const presencePenalty = request.presence_penalty ?? 0;
  return {
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    seed: request.seed == null ? undefined : Number(BigInt.asUintN(32, BigInt(request.seed))),
    repeatPenalty:
      frequencyPenalty === 0 && presencePenalty === 0
        ? (false as const)
        : { penalty: 1, frequencyPenalty, presencePenalty },
  };
}

/** A chat request's sampling, its stop sequences included. */
export function samplingOptions(request: ChatCompletionRequest) {
  return { ...baseSamplingOptions(request), customStopTriggers: stopSequences(request) };
}

const MAX_CACHED_GRAMMARS = 64;

/** Caches compiled grammars per JSON schema, since compiling one costs more than a short answer. */
export class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly llama: Llama) {}

  /** The grammar that `response_format` asks for, or undefined for plain text. */
  async forRequest(request: ChatCompletionRequest): Promise<LlamaGrammar | undefined> {
    const format = request.response_format;
    if (!format || format.type === 'text') return undefined;
    if (format.type === 'json_object')
      return this.cached('json', () => this.llama.getGrammarFor('json'));
    return this.forSchema(format.json_schema.schema, 'response_format.json_schema.schema');
  }

  /** The grammar of a JSON schema; a schema node-llama-cpp cannot compile is a 400 naming `param`. */
  forSchema(schema: Record<string, unknown>, param: string): Promise<LlamaGrammar> {
    return this.cached(JSON.stringify(schema), async () => {
      try {
        return await this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(
          schema as GbnfJsonSchema,
        );
      } catch (error) {
        throw ApiError.invalidRequest(
          `Unsupported JSON schema: ${error instanceof Error ? error.message : String(error)}`,
          param,
        );
      }
    });
  }

  /** A grammar that produces exactly one of `names`. */
  forOneOf(names: readonly string[]): Promise<LlamaGrammar> {
    const rule = names.map((name) => JSON.stringify(name)).join(' | ');
    return this.cached(`oneOf:${rule}`, () =>
      this.llama.createGrammar({ grammar: `root ::= ${rule}` }),
    );
  }

  private cached(key: string, create: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = create();
      grammar.catch(() => this.grammars.delete(key));
      if (this.grammars.size >= MAX_CACHED_GRAMMARS) {
        const oldest = this.grammars.keys().next().value;
        if (oldest !== undefined) this.grammars.delete(oldest);
      }
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}
