/**
 * One real `byoi-node` serving the generated tiny model for a test file, with the real
 * `openai` client on its endpoint and the same model loaded in-process as an independent
 * tokenizer (for exact usage). Registers its own beforeAll/afterAll.
 */
import { getLlama, type LlamaModel } from 'node-llama-cpp';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect } from 'vitest';
import { startNode, type NodeProcess } from './nodeProcess.js';
import { createTempModel, type TempModel } from './tempModel.js';

export interface ServedTinyModel {
  readonly node: NodeProcess;
  readonly client: OpenAI;
  readonly tokenizer: LlamaModel;
}

/** `args` are extra `byoi-node` flags, e.g. `['--parallel', '2']`. */
export function useServedTinyModel(args: string[] = []): ServedTinyModel {
  let model: TempModel | undefined;
  let node: NodeProcess | undefined;
  let client: OpenAI | undefined;
  let tokenizer: LlamaModel | undefined;
  beforeAll(async () => {
    model = createTempModel();
    node = await startNode(['--model', model.path, ...args]);
    client = new OpenAI({ baseURL: node.ready.openaiBaseURL, apiKey: 'local', maxRetries: 0 });
    const llama = await getLlama({ gpu: false, build: 'never' });
    tokenizer = await llama.loadModel({ modelPath: model.path });
  });
  afterAll(async () => {
    await tokenizer?.dispose();
    expect(await node?.stop()).toBe(0);
    model?.cleanup();
  });
  return {
    get node() {
      return node!;
    },
    get client() {
      return client!;
    },
    get tokenizer() {
      return tokenizer!;
    },
  };
}
