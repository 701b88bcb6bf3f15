/**
 * Nodes announce the SHA-256 of each model file: computed from the file as streamed, kept
 * by path, size and mtime (across restarts, in the cache file), and checked by the protocol.
 */
import { createHash } from 'node:crypto';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFrameSchema } from '../../common/protocol.js';
import type { LinkModel } from '../../main/engine/link/jobRunner.js';
import { announceFrame } from '../../main/engine/link/linkConnection.js';
import { FileHashes, sha256OfFile } from '../../main/engine/models/fileHashes.js';
import { createTempModel, type TempModel } from '../support/tempModel.js';

const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let model: TempModel | undefined;
afterEach(() => model?.cleanup());

describe('model file hashes', () => {
  it('are the SHA-256 of the generated model file', async () => {
    model = createTempModel();
    const expected = digest(model.path);
    expect(await sha256OfFile(model.path)).toBe(expected);
    expect(await new FileHashes().hash(model.path)).toBe(expected);
  });

  it('are remembered by path, size and mtime, across restarts', async () => {
    model = createTempModel();
    const cacheFile = join(model.dir, 'model-hashes.json');
    // Whole seconds, so that setting the same mtime again gives back exactly the same.
    const mtime = new Date('2030-01-01T00:00:00.000Z');
    const atime = mtime;
    utimesSync(model.path, atime, mtime);
    const original = digest(model.path);
    expect(await new FileHashes(cacheFile).hash(model.path)).toBe(original);
    // Same size and mtime, other bytes: a restarted node trusts what it remembered.
    const bytes = readFileSync(model.path);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(model.path, bytes);
    utimesSync(model.path, atime, mtime);
    const restarted = new FileHashes(cacheFile);
    expect(await restarted.hash(model.path)).toBe(original);
    // A new mtime: read again.
    utimesSync(model.path, atime, new Date(mtime.getTime() + 5000));
    const changed = digest(model.path);
    expect(changed).not.toBe(original);
    expect(await restarted.hash(model.path)).toBe(changed);
    expect(await new FileHashes(cacheFile).hash(model.path)).toBe(changed);
  });

  it('start no second read of a file already being read', async () => {
    model = createTempModel();
    const hashes = new FileHashes();
    const [a, b] = await Promise.all([hashes.hash(model.path), hashes.hash(model.path)]);
    expect(a).toBe(b);
  });

  it('survive a broken cache file', async () => {
    model = createTempModel();
    const cacheFile = join(model.dir, 'model-hashes.json');
    writeFileSync(cacheFile, '{ not json');
    expect(await new FileHashes(cacheFile).hash(model.path)).toBe(digest(model.path));
    expect(JSON.parse(readFileSync(cacheFile, 'utf8'))).toMatchObject({ v: 1 });
  });
});

describe('the announced sha256', () => {
  const linkModel = (sha256?: string) =>
    ({
      host: { id: 'tiny' },
      price: { prompt: 1, completion: 2 },
      slots: 1,
      contextLength: 2048,
      sha256,
    }) as unknown as LinkModel;
  const hardware = { summary: 'cpu', backend: 'cpu' };

  it('goes in the announce, and the protocol takes it, or its absence', () => {
    const sha = 'a1'.repeat(32);
    const frame = announceFrame([linkModel(sha)], hardware);
    expect(frame.models[0]?.sha256).toBe(sha);
    expect(nodeFrameSchema.parse(frame)).toMatchObject({ models: [{ id: 'tiny', sha256: sha }] });
    const old = announceFrame([linkModel()], hardware);
    expect('sha256' in old.models[0]!).toBe(false);
    expect(nodeFrameSchema.safeParse(old).success).toBe(true);
  });

  it('is refused when it is not 64 lowercase hex digits', () => {
    for (const bad of [
      'A1'.repeat(32),
      'a1'.repeat(31),
      `${'a1'.repeat(32)}0`,
      'g'.repeat(64),
      '',
    ]) {
      const frame = announceFrame([linkModel('0'.repeat(64))], hardware);
      frame.models[0]!.sha256 = bad;
      expect(nodeFrameSchema.safeParse(frame).success, bad).toBe(false);
    }
  });
});
