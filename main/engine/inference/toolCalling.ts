/**
 * Tool calling with node-llama-cpp. `tool_choice: auto` uses the library's function calling
 * in the model's own syntax (read from its chat template, or the generic syntax when the
 * template has none), streaming each call's arguments as they are generated. `required` and
 * a named function are enforced with grammars, so that even a weak model makes a valid call:
 * one grammar picks the name among the allowed tools, the next produces arguments that
 * match the tool's JSON schema.
 */
import {
  LlamaText,
  type ChatHistoryItem,
  type ChatModelFunctions,
  type GbnfJsonSchema,
  type ChatWrapper,
  type LlamaGrammar,
} from 'node-llama-cpp';
import type { ChatCompletionRequest } from '../../../common/openai.js';
import { callsTools, type FunctionTool } from '../../../common/openaiTools.js';
import { ApiError } from '../../../common/openaiErrors.js';
import type { GrammarCache } from './chatRequest.js';

/** The request's tools as node-llama-cpp functions. */
export function chatFunctions(tools: readonly FunctionTool[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const { function: fn } of tools) {
    functions[fn.name] = {
      description: fn.description,
      params: (fn.parameters as GbnfJsonSchema | undefined) ?? undefined,
    };
  }
  return functions;
}

/**
 * How the model may call tools: `none` (plain text), `auto` (its choice) or `forced` (it must
 * call one of `names`).
 */
export type ToolMode =
  | { kind: 'none' }
  | { kind: 'auto'; functions: ChatModelFunctions }
  | { kind: 'forced'; functions: ChatModelFunctions; names: string[] };

export function toolMode(request: ChatCompletionRequest): ToolMode {
  if (!callsTools(request)) return { kind: 'none' };
  const tools = request.tools ?? [];
  const functions = chatFunctions(tools);
  const choice = request.tool_choice ?? 'auto';
  if (choice === 'auto') return { kind: 'auto', functions };
  const names =
    typeof choice === 'object' ? [choice.function.name] : tools.map((tool) => tool.function.name);
  return { kind: 'forced', functions, names };
}

/**
 * Compiles every tool's parameter schema once (cached), so a schema the grammar compiler
 * cannot take is a 400 naming the tool, before any token is generated.
 */
export async function checkToolSchemas(
  request: ChatCompletionRequest,
  grammars: GrammarCache,
): Promise<void> {
  if (!callsTools(request)) return;
  if (request.response_format && request.response_format.type !== 'text') {
    throw ApiError.invalidRequest(
      'response_format cannot be combined with tools on this node; ask for one or the other',
      'response_format',
    );
  }
  await Promise.all(
    (request.tools ?? []).map((tool, index) =>
      tool.function.parameters
        ? grammars.forSchema(tool.function.parameters, `tools[${index}].function.parameters`)
        : undefined,
    ),
  );
}

/** The grammar for a call's arguments: its schema, or `{}` for a tool without parameters. */
export function argumentsGrammar(
  tool: FunctionTool | undefined,
  grammars: GrammarCache,
): Promise<LlamaGrammar> {
  const schema = tool?.function.parameters ?? { type: 'object', properties: {} };
  return grammars.forSchema(schema, 'tools');
}

/**
 * The history for a forced call: the tools documented in a system message (as the chat
 * wrapper documents them for `auto`), and the reply opened with the wrapper's call syntax
 * up to the name (`head`), so that the model sees its usual way of calling a tool.
 */
export function forcedCallHistory(
  wrapper: ChatWrapper,
  history: ChatHistoryItem[],
  functions: ChatModelFunctions,
  head: string,
): ChatHistoryItem[] {
  const docs = wrapper.generateAvailableFunctionsSystemText(functions, { documentParams: true });
  const withDocs: ChatHistoryItem[] = [{ type: 'system', text: docs.toJSON() }, ...history];
  const last = withDocs.at(-1);
  if (last?.type !== 'model') return withDocs;
  return [...withDocs.slice(0, -1), { ...last, response: [...last.response, head] }];
}

/** The chat wrapper's syntax around a call: before the name, and between name and arguments. */
export function callSyntax(wrapper: ChatWrapper): { prefix: string; paramsPrefix: string } {
  const call = wrapper.settings.functions.call;
  return {
    prefix: LlamaText(call.prefix).toString(),
    paramsPrefix: LlamaText(call.paramsPrefix).toString(),
  };
}
