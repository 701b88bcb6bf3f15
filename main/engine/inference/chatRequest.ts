/** Turns an OpenAI chat request into node-llama-cpp chat history and sampling options. */
import type { ChatHistoryItem, GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';
import { messageText, stopSequences, type ChatCompletionRequest } from '../../../common/openai.js';
import { ApiError } from '../../../common/openaiErrors.js';

/** The history to generate from, ending with the empty assistant turn to fill. */
export function toChatHistory(request: ChatCompletionRequest): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = request.messages.map((message) => {
    const text = messageText(message);
    switch (message.role) {
      case 'system':
      case 'developer':
        return { type: 'system', text };
      case 'user':
        return { type: 'user', text };
      case 'assistant':
        return { type: 'model', response: [text] };
    }
  });
  history.push({ type: 'model', response: [] });
  return history;
}

/** Sampling options in node-llama-cpp's terms, with OpenAI's defaults (temperature 1, top_p 1, no penalties). */
export function samplingOptions(request: ChatCompletionRequest) {
  const frequencyPenalty = request.frequency_penalty ?? 0;
  const presencePenalty = request.presence_penalty ?? 0;
  return {
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    seed: request.seed == null ? undefined : Number(BigInt.asUintN(32, BigInt(request.seed))),
    customStopTriggers: stopSequences(request),
    repeatPenalty:
      frequencyPenalty === 0 && presencePenalty === 0
        ? (false as const)
        : { penalty: 1, frequencyPenalty, presencePenalty },
  };
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
    const schema = format.json_schema.schema;
    return this.cached(JSON.stringify(schema), async () => {
      try {
        return await this.llama.createGrammarForJsonSchema<GbnfJsonSchema>(
          schema as GbnfJsonSchema,
        );
      } catch (error) {
        throw ApiError.invalidRequest(
          `Unsupported JSON schema: ${error instanceof Error ? error.message : String(error)}`,
          'response_format.json_schema.schema',
        );
      }
    });
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
