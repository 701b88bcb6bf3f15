/** benchmarkModel on the real tiny model (CPU, one thread). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import type { RequestRecord } from '../../main/engine/stats/requestStats.js';
import { ModelHost, type GenerationResult } from '../../main/engine/inference/modelHost.js';
import { benchmarkModel } from '../../main/engine/models/benchmark.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;
let host: ModelHost;
const records: RequestRecord[] = [];

beforeAll(() => {
  model = createTempModel();
  host = new ModelHost({
    path: model.path,
    threads: 1,
    slots: 1,
    maxQueued: 2,
    logger: silentLogger,
    onFinished: (record) => records.push(record),
  });
});

afterAll(async () => {
  await host.unload();
  model.cleanup();
});

describe('benchmarkModel', () => {
  it('warms up, then measures a greedy generation of the asked length', async () => {
    const figures = await benchmarkModel(host, { tokens: 32 });
    expect(figures.tokensPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(figures.tokensPerSecond)).toBe(true);
    expect(figures.timeToFirstTokenMs).toBeGreaterThan(0);
    // A benchmark is not a served request: the stats stay as they were.
    expect(records).toEqual([]);
    await host.generate({
      model: host.id,
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 4,
    });
    expect(records.map((record) => [record.source, record.outcome])).toEqual([['local', 'done']]);
  });

  it('computes tokens/s from the tokens after the first over the time after the first', async () => {
    const fake = (result: Partial<GenerationResult>) => ({
      id: 'fake',
      generate: () =>
        Promise.resolve({
          text: '',
          toolCalls: [],
          finishReason: 'length' as const,
          promptTokens: 10,
          completionTokens: 65,
          timeToFirstTokenMs: 200,
          durationMs: 1200,
          ...result,
        }),
    });
    expect(await benchmarkModel(fake({}))).toEqual({
      tokensPerSecond: 64,
      timeToFirstTokenMs: 200,
    });
    await expect(benchmarkModel(fake({ completionTokens: 1 }))).rejects.toThrow(/too few/);
    await expect(benchmarkModel(fake({ timeToFirstTokenMs: null }))).rejects.toThrow(/too few/);
  });
});
