/** ModelHost in-process with real node-llama-cpp: lazy load, unload on demand, cancellation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatCompletionRequestSchema } from '../../common/openai.js';
import { ApiError } from '../../common/openaiErrors.js';
import { ModelHost } from '../../main/engine/inference/modelHost.js';
import { silentLogger } from '../../common/log.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let host: ModelHost;

const request = (maxTokens: number) =>
  chatCompletionRequestSchema.parse({
    model: 'tiny',
    messages: [{ role: 'user', content: 'tell me a story' }],
    max_tokens: maxTokens,
    temperature: 0,
  });

beforeAll(() => {
  model = createTempModel();
  host = new ModelHost({
    path: model.path,
    threads: 1,
    slots: 1,
    maxQueued: 4,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await host.unload();
  model.cleanup();
});

describe('ModelHost', () => {
  it('takes its id from the file name and loads on first use', async () => {
    expect(host.id).toBe('tiny');
    expect(host.isLoaded).toBe(false);
    const result = await host.generate(request(5));
    expect(host.isLoaded).toBe(true);
    expect(result.completionTokens).toBe(5);
    expect(result.finishReason).toBe('length');
    expect(result.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('frees the model on unload and reloads on the next request with the same output', async () => {
    const before = await host.generate(request(8));
    const loaded = await host.load();
    await host.unload();
    expect(host.isLoaded).toBe(false);
    expect(loaded.context.disposed).toBe(true);
    expect(loaded.model.disposed).toBe(true);
    const after = await host.generate(request(8));
    expect(after.text).toBe(before.text);
  });

  it('cancels a running generation and fails the queued ones when unloaded', async () => {
    let firstText!: () => void;
    const started = new Promise<void>((resolve) => (firstText = resolve));
    const running = host
      .generate(request(1900), { onText: () => firstText() })
      .catch((error: unknown) => error);
    await started;
    const queued = host.generate(request(3)).catch((error: unknown) => error);
    await host.unload();
    const [runningError, queuedError] = await Promise.all([running, queued]);
    expect(runningError).toBeInstanceOf(ApiError);
    expect((runningError as ApiError).status).toBe(503);
    expect(queuedError).toBeInstanceOf(ApiError);
    expect(host.isLoaded).toBe(false);
  });

  it('stops promptly when the caller aborts, and the slot is free again', async () => {
    const abort = new AbortController();
    let tokens = 0;
    const aborted = host
      .generate(request(1900), {
        signal: abort.signal,
        onText: () => {
          if (++tokens === 3) abort.abort(new Error('caller left'));
        },
      })
      .catch((error: unknown) => error);
    expect(((await aborted) as Error).message).toBe('caller left');
    expect(tokens).toBeLessThan(20);
    const next = await host.generate(request(2));
    expect(next.completionTokens).toBe(2);
  });
});
