/** The `byoi-node` command line: help, bad flags, refusals, auth, clean shutdown, detection. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HardwareReportSchema } from '../../common/hardware.js';
import { tinyModelBytes } from '../../demo/tinyModel.js';
import { runNode, startNode } from '../support/nodeProcess.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

let model: TempModel;

beforeAll(() => {
  model = createTempModel();
});

afterAll(() => model.cleanup());

describe('byoi-node CLI', () => {
  it('explains every flag in --help', async () => {
    const { code, stdout } = await runNode(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--model',
      '--openai',
      '--api-key',
      '--threads',
      '--parallel',
      '--queue',
      '--ctx-size',
      '--cpu',
      '--json',
      '--log-level',
      '--help',
      '--version',
    ]) {
      expect(stdout).toContain(flag);
    }
  });

  it.each([
    [['--model', 'x.gguf', '--bogus'], /Unknown option '--bogus'/],
    [['--threads', '0'], /--threads must be a whole number of at least 1/],
    [['--model', 'x.gguf', '--parallel', '0'], /--parallel must be a whole number of at least 1/],
    [['--model', 'x.gguf', '--openai', 'localhost'], /--openai must look like/],
  ])('refuses %j with exit code 2 and a readable message', async (args, message) => {
    const { code, stderr } = await runNode(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('--help');
  });

  it('says which model file is missing', async () => {
    const { code, stderr } = await runNode(['--model', join(model.dir, 'nope.gguf')]);
    expect(code).toBe(2);
    expect(stderr).toContain('model file not found');
  });

  it.each([
    ['not a model', 'is not a GGUF model file'],
    ['GGUF but not really', 'GGUF version'],
    [tinyModelBytes().subarray(0, 20000), 'Failed to load model'],
  ])('reports a corrupt model file without crashing (%#)', async (content, message) => {
    const corrupt = join(model.dir, 'corrupt.gguf');
    writeFileSync(corrupt, content);
    const { code, stderr } = await runNode([
      '--model',
      corrupt,
      '--openai',
      '127.0.0.1:0',
      '--control',
      '127.0.0.1:0',
      '--threads',
      '1',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("could not load model 'corrupt'");
    expect(stderr).toContain(message);
  });

  it('refuses to listen beyond loopback without an API key', async () => {
    const { code, stderr } = await runNode([
      '--model',
      model.path,
      '--openai',
      '0.0.0.0:0',
      '--threads',
      '1',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('without an API key');
  });

  it('requires the API key when one is set, honours BYOI_THREADS, and stops cleanly on SIGINT', async () => {
    const node = await startNode(['--model', model.path], {
      BYOI_API_KEY: 'sekret',
      BYOI_THREADS: '1',
    });
    expect(node.ready).toMatchObject({ threads: 1, models: ['tiny'] });
    const anonymous = await fetch(`${node.ready.openaiBaseURL}/models`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_api_key',
    );
    const client = new OpenAI({
      baseURL: node.ready.openaiBaseURL,
      apiKey: 'sekret',
      maxRetries: 0,
    });
    expect((await client.models.list()).data[0]!.id).toBe('tiny');

    const stopped = node.waitForLog((line) => line.msg === 'stopped');
    node.child.kill('SIGINT');
    await stopped;
    expect(await node.stop()).toBe(0);
  });

  it('prints the hardware report with `detect --json`', async () => {
    const { code, stdout } = await runNode(['detect', '--json']);
    expect(code).toBe(0);
    const report = HardwareReportSchema.parse(JSON.parse(stdout));
    expect(report.backendsProbed).toBe(true);
    expect(report.backends.find((b) => b.backend === 'cpu')?.available).toBe(true);
    expect(report.summary.length).toBeGreaterThan(0);
  });
});
