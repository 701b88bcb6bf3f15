/** `byoi-node models pull` and `write-test-model`, in-process, against a local HTTP server. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { CATALOG } from '../../main/engine/models/catalog.js';
import { TINY_SHAPE, tinyModelBytes } from '../../main/engine/models/tinyModel.js';
import { modelsCommand, pullSource, TEST_MODEL_FILE } from '../../main/engine/modelsCommand.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

let dir: string;
let server: Server;
let url: string;
const model = tinyModelBytes();

/** Collects what a command writes; stderr is not a TTY, so progress comes as lines. */
function output() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    streams: {
      stdout: { write: (text: string) => (out.stdout += text) },
      stderr: { write: (text: string) => (out.stderr += text), isTTY: false },
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byoi-models-command-'));
  // Says the length, as model hosts do, so the bar knows the share.
  server = createServer((_req, res) =>
    res.writeHead(200, { 'content-length': model.length }).end(model),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/served.gguf`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('byoi-node models', () => {
  it('pull downloads a URL into the models folder with a progress bar', async () => {
    const { out, streams } = output();
    const dataDir = join(dir, 'data');
    const code = await modelsCommand(
      { action: 'pull', source: url, sha256: undefined, dataDir },
      silentLogger,
      streams,
    );
    expect(code).toBe(0);
    const path = join(dataDir, 'models', 'served.gguf');
    expect(readFileSync(path).equals(tinyModelBytes())).toBe(true);
    expect(out.stderr).toMatch(/\[#{24}\] 100%/);
    expect(out.stdout).toContain(`Serve it with: byoi-node --model "${path}"`);
  });

  it('pull refuses a file whose checksum differs, and says so in one line', async () => {
    const { out, streams } = output();
    const code = await modelsCommand(
      {
        action: 'pull',
        source: url,
        sha256: '0'.repeat(64),
        dataDir: join(dir, 'other'),
      },
      silentLogger,
      streams,
    );
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/^byoi-node: checksum mismatch: expected 0{64}/m);
  });

  it('pull takes catalog ids in any case, and names the catalog for anything else', () => {
    const entry = CATALOG[0]!;
    expect(pullSource(entry.id.toUpperCase()).url).toBe(entry.url);
    expect(() => pullSource('no-such-model')).toThrow(entry.id);
  });

  it('write-test-model writes the tiny model once into the models folder', async () => {
    const dataDir = join(dir, 'test-model');
    const first = output();
    expect(
      await modelsCommand(
        { action: 'write-test-model', path: undefined, template: 'chatml', dataDir },
        silentLogger,
        first.streams,
      ),
    ).toBe(0);
    const path = join(dataDir, 'models', TEST_MODEL_FILE);
    expect(readFileSync(path).equals(tinyModelBytes())).toBe(true);
    expect(first.out.stdout).toContain(`Wrote the test model to ${path}`);
    const again = output();
    await modelsCommand(
      { action: 'write-test-model', path: undefined, template: 'chatml', dataDir },
      silentLogger,
      again.streams,
    );
    expect(again.out.stdout).toContain('already at');
  });

  it('write-test-model --template tools writes the model with the tool-calling template', async () => {
    const path = join(dir, 'tools', 'tiny-tools.gguf');
    const { streams } = output();
    await modelsCommand(
      { action: 'write-test-model', path, template: 'tools', dataDir: join(dir, 'tools') },
      silentLogger,
      streams,
    );
    expect(readFileSync(path).equals(tinyModelBytes(TINY_SHAPE, 'tools'))).toBe(true);
    expect(readFileSync(path).equals(tinyModelBytes())).toBe(false);
  });
});
