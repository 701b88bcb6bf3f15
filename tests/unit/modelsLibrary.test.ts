/** The models folder listing, download file names, and the transfer meter. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tinyModelBytes } from '../../demo/tinyModel.js';
import { downloadFileName } from '../../main/engine/models/downloadFiles.js';
import { parseContentRange } from '../../main/engine/models/downloadHttp.js';
import { modelIdOf } from '../../main/engine/inference/modelHost.js';
import { ModelFolder, modelsFolder } from '../../main/engine/models/modelLibrary.js';
import { SpeedMeter, Throttle } from '../../main/engine/models/transferMeter.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'byoi-models-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('ModelFolder', () => {
  it('lists GGUF files sorted by id, leaving out partial, hidden, split and non-GGUF files', async () => {
    const folder = modelsFolder(dataDir);
    expect(folder).toBe(join(dataDir, 'models'));
    mkdirSync(folder);
    const gguf = tinyModelBytes();
    writeFileSync(join(folder, 'zeta.gguf'), gguf);
    writeFileSync(join(folder, 'Alpha.GGUF'), gguf);
    writeFileSync(join(folder, 'big-00001-of-00002.gguf'), gguf);
    writeFileSync(join(folder, 'big-00002-of-00002.gguf'), gguf);
    writeFileSync(join(folder, 'half.gguf.part'), gguf.subarray(0, 100));
    writeFileSync(join(folder, '.zeta.gguf.123.tmp'), gguf);
    writeFileSync(join(folder, '.hidden.gguf'), gguf);
    writeFileSync(join(folder, 'fake.gguf'), '<html>not a model</html>');
    writeFileSync(join(folder, 'notes.txt'), 'hello');
    mkdirSync(join(folder, 'dir.gguf'));
    const installed = await new ModelFolder(folder).listInstalled();
    expect(installed).toEqual([
      { id: 'Alpha', file: 'Alpha.GGUF', sizeBytes: gguf.length },
      { id: 'big-00001-of-00002', file: 'big-00001-of-00002.gguf', sizeBytes: gguf.length },
      { id: 'zeta', file: 'zeta.gguf', sizeBytes: gguf.length },
    ]);
    expect(await new ModelFolder(folder).find('zeta')).toEqual(installed[2]);
    expect(await new ModelFolder(folder).find('fake')).toBeNull();
  });

  it('has no models before the folder exists', async () => {
    expect(await new ModelFolder(modelsFolder(dataDir)).listInstalled()).toEqual([]);
    expect(modelIdOf('qwen2.5-0.5b.gguf')).toBe('qwen2.5-0.5b');
  });
});

describe('downloadFileName', () => {
  const url = (path: string) => new URL(`https://example.com${path}`);

  it("takes the URL's last segment, decoded and sanitized", () => {
    expect(downloadFileName(url('/org/repo/resolve/main/model-Q4_K_M.gguf?download=true'))).toBe(
      'model-Q4_K_M.gguf',
    );
    expect(downloadFileName(url('/my%20model%20(v2).gguf'))).toBe('my_model_v2_.gguf');
    expect(downloadFileName(url('/..%2F..%2Fx.gguf'), 'x.gguf')).toBe('x.gguf');
    expect(downloadFileName(url('/.hidden.gguf'))).toBe('hidden.gguf');
    expect(downloadFileName(url('/anything'), 'chosen.gguf')).toBe('chosen.gguf');
  });

  it('refuses names without .gguf, paths, empty and overlong names', () => {
    expect(() => downloadFileName(url('/model.bin'))).toThrow(/must end in a \.gguf/);
    expect(() => downloadFileName(url('/'))).toThrow(/must end in a \.gguf/);
    expect(() => downloadFileName(url('/.gguf'))).toThrow(/\.gguf/);
    expect(() => downloadFileName(url('/..%2Fevil.gguf'))).toThrow(/must not contain a path/);
    expect(() => downloadFileName(url('/x.gguf'), 'sub/dir.gguf')).toThrow(/path/);
    expect(() => downloadFileName(url('/x.gguf'), 'model.txt')).toThrow(/must end in \.gguf/);
    expect(() => downloadFileName(url(`/${'a'.repeat(200)}.gguf`))).toThrow(/longer than 120/);
  });
});

describe('parseContentRange', () => {
  it('reads ranges and unsatisfied ranges', () => {
    expect(parseContentRange('bytes 100-199/200')).toEqual({ start: 100, total: 200 });
    expect(parseContentRange('bytes */200')).toEqual({ start: null, total: 200 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, total: null });
    expect(parseContentRange('items 1-2/3')).toBeNull();
    expect(parseContentRange(undefined)).toBeNull();
  });
});

describe('SpeedMeter and Throttle', () => {
  it('averages over the sliding window only', () => {
    const meter = new SpeedMeter(5000, 100);
    expect(meter.bytesPerSecond()).toBeNull();
    meter.record(0, 0);
    expect(meter.bytesPerSecond()).toBeNull();
    for (let t = 1000; t <= 10_000; t += 1000)
      meter.record(t, t < 6000 ? t * 10 : 50_000 + (t - 5000));
    // Over the last 5 s only 1 byte/ms arrived; the fast start is forgotten.
    expect(meter.bytesPerSecond()).toBe(1000);
  });

  it('merges samples that come faster than the spacing', () => {
    const meter = new SpeedMeter(1000, 100);
    meter.record(0, 0);
    meter.record(10, 1);
    meter.record(20, 2);
    expect(meter.bytesPerSecond()).toBe(100);
  });

  it('lets one event through per interval', () => {
    const throttle = new Throttle(250);
    const passed = [0, 100, 249, 250, 400, 499, 500, 1000].filter((at) => throttle.ready(at));
    expect(passed).toEqual([0, 250, 500, 1000]);
  });
});
