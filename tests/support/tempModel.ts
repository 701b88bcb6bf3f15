/** A fresh temporary folder holding the generated tiny model, removed by `cleanup()`. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyModel, type TinyTemplate } from '../../main/engine/models/tinyModel.js';

export interface TempModel {
  dir: string;
  path: string;
  cleanup(): void;
}

export function createTempModel(name = 'tiny', template?: TinyTemplate): TempModel {
  const dir = mkdtempSync(join(tmpdir(), 'byoi-test-'));
  const path = writeTinyModel(join(dir, `${name}.gguf`), undefined, template);
  return { dir, path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
