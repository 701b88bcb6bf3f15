/**
 * OpenAI tool calling: the `tools`, `tool_choice` and `parallel_tool_calls` request fields,
 * the assistant's `tool_calls` and `tool` result messages, and the checks that tie them
 * together (a choice names a declared tool, every call gets its result and every result
 * answers a call). Shared by the node's endpoint, the link and the gateway.
 */
import { z } from 'zod';

/** How deep a JSON schema (tool parameters, `json_schema`) may nest before it is refused. */
export const MAX_SCHEMA_DEPTH = 24;
/**
 * Values (objects, arrays and scalars) one JSON schema may hold before it is refused: well
 * above OpenAI's own 5000 properties per schema, far below what makes a grammar slow to build.
 */
export const MAX_SCHEMA_NODES = 20_000;
/** Tools one request may declare (OpenAI's own limit). */
export const MAX_TOOLS = 128;

/** Levels of nested objects and arrays in `value` (a scalar is 0). */
export function jsonDepth(value: unknown, limit = MAX_SCHEMA_DEPTH + 1): number {
  if (value === null || typeof value !== 'object' || limit <= 0) return 0;
  let deepest = 0;
  for (const child of Object.values(value as Record<string, unknown>)) {
    deepest = Math.max(deepest, jsonDepth(child, limit - 1));
    if (deepest >= limit) break;
  }
  return deepest + 1;
}

/** Values in `value`, itself included, counted up to `limit`, without recursion. */
export function jsonNodeCount(value: unknown, limit = MAX_SCHEMA_NODES + 1): number {
  let count = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count < limit) {
    const next = stack.pop();
    count++;
    if (next === null || typeof next !== 'object') continue;
    for (const child of Object.values(next as Record<string, unknown>)) {
      if (count + stack.length >= limit) break;
      stack.push(child);
    }
  }
  return count;
}

/**
 * A JSON schema as an object, refused past {@link MAX_SCHEMA_DEPTH} levels or
 * {@link MAX_SCHEMA_NODES} values, so that what reaches a node's grammar builder is bounded.
 */
export const jsonSchemaObject = z.record(z.string(), z.unknown()).check((ctx) => {
  const problem =
    jsonNodeCount(ctx.value) > MAX_SCHEMA_NODES
      ? `the schema holds more than ${MAX_SCHEMA_NODES} values`
      : jsonDepth(ctx.value) > MAX_SCHEMA_DEPTH
        ? `the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`
        : null;
  if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
});

const toolName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'a function name is 1 to 64 letters, digits, _ or -');

const functionTool = z.object({
  type: z.string().refine((type) => type === 'function', {
    error: (issue) => `tool type '${String(issue.input)}' is not supported; only 'function' is`,
  }),
  function: z.object({
    name: toolName,
    description: z.string().max(8192).optional(),
    parameters: jsonSchemaObject.optional(),
    strict: z.boolean().nullish(),
  }),
});
export type FunctionTool = z.infer<typeof functionTool>;

export const toolsSchema = z
  .array(functionTool)
  .max(MAX_TOOLS)
  .check((ctx) => {
    const seen = new Set<string>();
    ctx.value.forEach((tool, index) => {
      if (seen.has(tool.function.name)) {
        ctx.issues.push({
          code: 'custom',
          input: tool.function.name,
          path: [index, 'function', 'name'],
          message: `the function name '${tool.function.name}' is declared twice`,
        });
      }
      seen.add(tool.function.name);
    });
  });

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: toolName }) }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

/** One call in an assistant message of the history. */
export const toolCallSchema = z.object({
  id: z.string().min(1).max(128),
  type: z.literal('function'),
  function: z.object({
    name: toolName,
    /** A JSON object, as a string (what the model produced). */
    arguments: z.string().max(1024 * 1024),
  }),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

/** What a chat request needs to check its tool fields; matches the chat request shape. */
interface ToolFields {
  messages: readonly {
    role: string;
    tool_calls?: readonly ToolCall[] | null;
    tool_call_id?: string;
  }[];
  tools?: readonly FunctionTool[] | null;
  tool_choice?: ToolChoice | null;
  parallel_tool_calls?: boolean | null;
}

type Issue = { path: PropertyKey[]; message: string; input: unknown };

/** The cross-field rules of tool calling, as issues with the path of the offending field. */
export function toolIssues(request: ToolFields): Issue[] {
  const issues: Issue[] = [];
  const tools = request.tools ?? [];
  const choice = request.tool_choice;
  if (choice != null && tools.length === 0) {
    issues.push({
      path: ['tool_choice'],
      message: 'tool_choice is only allowed when tools are given',
      input: choice,
    });
  }
  if (request.parallel_tool_calls != null && tools.length === 0) {
    issues.push({
      path: ['parallel_tool_calls'],
      message: 'parallel_tool_calls is only allowed when tools are given',
      input: request.parallel_tool_calls,
    });
  }
  if (choice != null && typeof choice === 'object' && tools.length > 0) {
    if (!tools.some((tool) => tool.function.name === choice.function.name)) {
      issues.push({
        path: ['tool_choice', 'function', 'name'],
        message: `no tool named '${choice.function.name}' is in tools`,
        input: choice.function.name,
      });
    }
  }
  issues.push(...conversationIssues(request.messages));
  return issues;
}

/**
 * Every assistant `tool_calls` entry is answered by a `tool` message before the next turn,
 * and every `tool` message answers a call of the assistant message before it.
 */
function conversationIssues(messages: ToolFields['messages']): Issue[] {
  const issues: Issue[] = [];
  let open = new Map<string, number>(); // call id → index of its assistant message
  const unanswered = () => {
    for (const [id, at] of open) {
      issues.push({
        path: ['messages', at, 'tool_calls'],
        message: `tool call '${id}' has no tool message answering it`,
        input: id,
      });
    }
  };
  messages.forEach((message, index) => {
    if (message.role === 'tool') {
      const id = message.tool_call_id ?? '';
      if (!open.has(id)) {
        issues.push({
          path: ['messages', index, 'tool_call_id'],
          message: `no assistant tool call with id '${id}' precedes this tool message`,
          input: id,
        });
      }
      open.delete(id);
      return;
    }
    unanswered();
    open = new Map();
    message.tool_calls?.forEach((call, callIndex) => {
      if (open.has(call.id)) {
        issues.push({
          path: ['messages', index, 'tool_calls', callIndex, 'id'],
          message: `tool call id '${call.id}' is used twice`,
          input: call.id,
        });
      }
      open.set(call.id, index);
      if (!isJsonObject(call.function.arguments)) {
        issues.push({
          path: ['messages', index, 'tool_calls', callIndex, 'function', 'arguments'],
          message: 'arguments must be a JSON object, as a string',
          input: call.function.arguments,
        });
      }
    });
  });
  unanswered();
  return issues;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Whether the request declares tools the model may call (not `tool_choice: none`). */
export function callsTools(request: Pick<ToolFields, 'tools' | 'tool_choice'>): boolean {
  return (request.tools?.length ?? 0) > 0 && request.tool_choice !== 'none';
}

/** Whether a request needs a node that knows tool calling: tools, or tool turns in its history. */
export function usesTools(request: ToolFields): boolean {
  return (
    (request.tools?.length ?? 0) > 0 ||
    request.messages.some(
      (message) => message.role === 'tool' || (message.tool_calls?.length ?? 0) > 0,
    )
  );
}
