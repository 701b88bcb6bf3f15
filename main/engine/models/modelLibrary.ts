/**
 * The models folder, `<dataDir>/models`: which GGUF files are installed there. Partial
 * downloads (`.part`), temporary files and files that do not start like GGUF are left out.
 */
import { modelIdOf } from '../inference/modelHost.js';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertGgufHeader } from '../inference/ggufHeader.js';

/** The folder models are kept in, inside the node's data folder. */
export function modelsFolder(dataDir: string): string {
  return join(dataDir, 'models');
}

/** A GGUF file in the models folder. */
export interface InstalledFile {
  /** The id clients ask for: the file name without `.gguf`. */
  id: string;
  /** The file name, relative to the models folder. */
  file: string;
  sizeBytes: number;
}

/** `.gguf`, any case: ids keep the rest of the name as it is. */
const GGUF_SUFFIX = /\.gguf$/i;
/** Later parts of a split model (`-00002-of-00003.gguf`); llama.cpp loads them via the first. */
const LATER_SPLIT_PART = /-(?!0+1-)\d{5}-of-\d{5}\.gguf$/i;

/** The installed models of one folder. */
export class ModelFolder {
  /** @param folder - the models folder (see {@link modelsFolder}) */
  constructor(readonly folder: string) {}

  /** The absolute path of a file in the folder. */
  pathOf(file: string): string {
    return join(this.folder, file);
  }

  /** The GGUF files in the folder, sorted by id; an absent folder has none. */
  async listInstalled(): Promise<InstalledFile[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const candidates = names.filter(
      (name) => GGUF_SUFFIX.test(name) && !name.startsWith('.') && !LATER_SPLIT_PART.test(name),
    );
    const found = await Promise.all(candidates.map((file) => this.inspect(file)));
    return found
      .filter((entry): entry is InstalledFile => entry !== null)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** The installed model with this id, or null. */
  async find(id: string): Promise<InstalledFile | null> {
    const installed = await this.listInstalled();
    return installed.find((entry) => entry.id === id) ?? null;
  }

  private async inspect(file: string): Promise<InstalledFile | null> {
    const path = this.pathOf(file);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      await assertGgufHeader(path);
      return { id: modelIdOf(file), file, sizeBytes: info.size };
    } catch {
      // Not GGUF, unreadable, or removed while listing: not an installed model.
      return null;
    }
  }
}
