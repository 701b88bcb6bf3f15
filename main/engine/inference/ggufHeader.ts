/**
 * A quick look at a model file's header before handing it to llama.cpp, which can hang on a
 * file that is not GGUF at all instead of failing.
 */
import { open } from 'node:fs/promises';

const SUPPORTED_VERSIONS = new Set([2, 3]);

/** Throws a readable error unless `path` starts like a GGUF v2 or v3 file. */
export async function assertGgufHeader(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const header = Buffer.alloc(8);
    const { bytesRead } = await file.read(header, 0, 8, 0);
    if (bytesRead < 8 || header.toString('latin1', 0, 4) !== 'GGUF') {
      throw new Error(`${path} is not a GGUF model file`);
    }
    const version = header.readUInt32LE(4);
    if (!SUPPORTED_VERSIONS.has(version)) {
      throw new Error(`${path} is GGUF version ${version}; only versions 2 and 3 are supported`);
    }
  } finally {
    await file.close();
  }
}
