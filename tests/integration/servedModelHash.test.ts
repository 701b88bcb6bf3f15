/**
 * A served model's file is hashed in the background once it is loaded, and the set is
 * announced again when the hash is known; a model no longer served forgets it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/log.js';
import { FileHashes } from '../../main/engine/models/fileHashes.js';
import { ServedModels } from '../../main/engine/node/servedModels.js';
import { createTempModel } from '../support/tempModel.js';

const model = createTempModel('tiny');
afterAll(() => model.cleanup());

describe('served model hashes', () => {
  it('become known after loading, with a second announce', async () => {
    let changes = 0;
    let hashed!: () => void;
    const secondChange = new Promise<void>((resolve) => (hashed = resolve));
    const served = new ServedModels(
      { threads: 1, slots: 1, maxQueued: 1, contextPerSlot: 256, gpu: false },
      silentLogger,
      () => undefined,
      () => {
        changes++;
        if (changes === 2) hashed();
      },
      new FileHashes(),
    );
    try {
      const host = await served.add(model.path);
      await secondChange;
      const expected = createHash('sha256').update(readFileSync(model.path)).digest('hex');
      expect(served.sha256Of(host.id)).toBe(expected);
      await served.remove(host.id);
      expect(served.sha256Of(host.id)).toBeUndefined();
    } finally {
      await served.unloadAll();
    }
  });
});
