/** A fresh temporary folder holding the generated tiny model, removed by `cleanup()`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel } from '../../main/engine/models/tinyModel.js';

export interface TempModel {
  dir: string;
  path: string;
  cleanup(): void;
}

export function createTempModel(name = 'tiny'): TempModel {
  const dir = mkdtempSync(join(tmpdir(), 'byoi-test-'));
  const path = writeTinyModel(join(dir, `${name}.gguf`));
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
