/**
 * The app's engine host (`out/main/engine-host.js`, forked by the shell as a utilityProcess)
 * driven over a stand-in parent port (tests/support/parentPortShim.mjs): NodeApi calls by id,
 * errors for bad arguments, status events, and serving a model from the models folder.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineMessage } from '../../common/nodeApiWire.js';
import type { ModelLibrary, NodeStatus } from '../../common/nodeApi.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

const HOST = fileURLToPath(new URL('../../out/main/engine-host.js', import.meta.url));
const SHIM = fileURLToPath(new URL('../support/parentPortShim.mjs', import.meta.url));

let child: ChildProcess;
let dataDir: string;
let model: TempModel;
const messages: EngineMessage[] = [];
let nextId = 1;

function call(verb: string, args: unknown): Promise<EngineMessage> {
  const id = nextId++;
  const answer = new Promise<EngineMessage>((resolve) => {
    const onMessage = (message: EngineMessage) => {
      if ((message.type === 'result' || message.type === 'error') && message.id === id) {
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
  });
  child.send({ type: 'call', id, verb, args });
  return answer;
}

async function result<T>(verb: string, args: unknown): Promise<T> {
  const answer = await call(verb, args);
  if (answer.type !== 'result') throw new Error(`${verb}: ${JSON.stringify(answer)}`);
  return answer.result as T;
}

beforeAll(async () => {
  model = createTempModel();
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-engine-host-'));
  mkdirSync(join(dataDir, 'models'), { recursive: true });
  copyFileSync(model.path, join(dataDir, 'models', 'tiny.gguf'));
  child = fork(HOST, ['--data-dir', dataDir], {
    execArgv: ['--import', SHIM],
    env: { ...process.env, BYOI_THREADS: '1' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  child.on('message', (message: EngineMessage) => messages.push(message));
});

afterAll(async () => {
  if (child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  model.cleanup();
});

describe('engine host', () => {
  it('answers NodeApi calls by id, starting in idle mode with no model', async () => {
    const status = await result<NodeStatus>('getStatus', {});
    expect(status.schedule.mode).toBe('idle');
    expect(status.models).toEqual([]);
    expect(status.link.state).toBe('disabled');
  });

  it('answers bad arguments and unknown verbs with an error naming them', async () => {
    const bad = await call('setMode', { mode: 'sometimes' });
    expect(bad).toMatchObject({ type: 'error', error: { status: 400, param: 'mode' } });
    const unknown = await call('formatDisk', {});
    expect(unknown).toMatchObject({ type: 'error', error: { status: 404, code: 'unknown_verb' } });
  });

  it('pushes status events', async () => {
    const seen = messages.length;
    await new Promise<void>((resolve) => {
      const onMessage = (message: EngineMessage) => {
        if (message.type === 'event' && message.event.type === 'status') {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
    });
    expect(messages.length).toBeGreaterThan(seen);
  });

  it('serves a model from its models folder and remembers the choice', async () => {
    const before = await result<ModelLibrary>('listModels', {});
    expect(before.installed).toMatchObject([{ id: 'tiny', served: false }]);
    const after = await result<ModelLibrary>('serveModel', { id: 'tiny', serve: true });
    expect(after.installed).toMatchObject([{ id: 'tiny', served: true }]);
    const status = await result<NodeStatus>('getStatus', {});
    expect(status.models.map((m) => [m.id, m.loaded])).toEqual([['tiny', true]]);
    const settings = await result<{ servedModels: string[] }>('getSettings', {});
    expect(settings.servedModels).toEqual(['tiny']);
    const missing = await call('serveModel', { id: 'nope', serve: true });
    expect(missing).toMatchObject({
      type: 'error',
      error: { status: 400, code: 'model_not_found' },
    });
  });
});
