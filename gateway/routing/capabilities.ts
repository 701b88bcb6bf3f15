/**
 * What a request needs of a route beyond plain chat, and the 400 a client gets when no route
 * serving the model can do it: `unsupported_parameter`, naming the field that asked for it.
 */
import { ApiError } from '../../common/openaiErrors.js';
import { usesTools } from '../../common/openaiTools.js';
import type { ModelCapability } from '../../common/protocol.js';
import type { Route, Task } from './route.js';

export interface Need {
  capability: ModelCapability;
  /** The request field that asks for it. */
  param: string;
}

/** The capabilities a task needs. */
export function taskNeeds(task: Task): Need[] {
  if (task.kind === 'embeddings') return [{ capability: 'embeddings', param: 'model' }];
  if (task.kind === 'completions') return [{ capability: 'completions', param: 'model' }];
  const { request } = task;
  const needs: Need[] = [];
  if (usesTools(request)) {
    needs.push({ capability: 'tools', param: request.tools?.length ? 'tools' : 'messages' });
  }
  if (request.response_format?.type === 'json_schema') {
    needs.push({ capability: 'json_schema', param: 'response_format' });
  }
  return needs;
}

/** The routes among `routes` that can do everything in `needs` with `model`. */
export function capableRoutes(routes: Route[], model: string, needs: readonly Need[]): Route[] {
  if (needs.length === 0) return routes;
  return routes.filter((route) => needs.every((need) => route.supports(model, need.capability)));
}

const WHAT: Record<string, string> = {
  tools: 'tool calling',
  json_schema: 'json_schema response formats',
  embeddings: 'embeddings',
  completions: 'text completions',
};

/** The 400 for a request that routes serve the model for, but none can do what it asks. */
export function unsupportedError(routes: Route[], model: string, needs: readonly Need[]): ApiError {
  const missing =
    needs.find((need) => !routes.some((route) => route.supports(model, need.capability))) ??
    needs[0];
  const what = missing?.capability ?? 'this request';
  const advice =
    missing?.param === 'model'
      ? 'use another model'
      : `remove '${missing?.param}' or use another model`;
  return ApiError.invalidRequest(
    `No route serving model '${model}' supports ${WHAT[what] ?? what}; ${advice}`,
    missing?.param ?? null,
    'unsupported_parameter',
  );
}
