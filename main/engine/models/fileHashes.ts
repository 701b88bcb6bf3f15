/**
 * SHA-256 of model files, which the node announces so that the gateway can cache answers by
 * the exact weights. A file is read in large chunks (the event loop is never held for more
 * than one chunk's hashing), once per path, size and mtime: the result is kept in memory and
 * in a small JSON file, so that a restart or a re-announce does not read a multi-GB file again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../storage/atomicFile.js';

/** Bytes read (and hashed) at a time. */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** Files remembered in the cache file; the least recently hashed are forgotten first. */
const MAX_REMEMBERED = 256;

const rememberedSchema = z.object({
  size: z.number().int().nonnegative(),
  mtimeMs: z.number(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
type Remembered = z.infer<typeof rememberedSchema>;
const cacheFileSchema = z.object({
  v: z.literal(1),
  files: z.record(z.string(), rememberedSchema),
});

/** The SHA-256 (lowercase hex) of a file's contents, read as a stream. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

export class FileHashes {
  private files = new Map<string, Remembered>();
  private readonly running = new Map<string, Promise<string>>();
  private loading: Promise<void> | null = null;
  private saving: Promise<void> = Promise.resolve();

  /** `cacheFile`: where hashes are remembered across restarts (none: in memory only). */
  constructor(private readonly cacheFile: string | null = null) {}

  /** The file's SHA-256: remembered while its size and mtime are unchanged, else read. */
  async hash(path: string): Promise<string> {
    const file = resolve(path);
    await this.load();
    const before = await stat(file);
    const known = this.files.get(file);
    if (known && known.size === before.size && known.mtimeMs === before.mtimeMs) {
      return known.sha256;
    }
    const job = `${file}\n${before.size}\n${before.mtimeMs}`;
    let running = this.running.get(job);
    if (!running) {
      running = this.compute(file, before.size, before.mtimeMs).finally(() =>
        this.running.delete(job),
      );
      this.running.set(job, running);
    }
    return running;
  }

  private async compute(file: string, size: number, mtimeMs: number): Promise<string> {
    const sha256 = await sha256OfFile(file);
    const after = await stat(file);
    // Changed while being read: the hash is of no one version; it is returned, not kept.
    if (after.size !== size || after.mtimeMs !== mtimeMs) return sha256;
    this.files.delete(file);
    this.files.set(file, { size, mtimeMs, sha256 });
    while (this.files.size > MAX_REMEMBERED) {
      this.files.delete(this.files.keys().next().value as string);
    }
    await this.save();
    return sha256;
  }

  private load(): Promise<void> {
    this.loading ??= this.read();
    return this.loading;
  }

  private async read(): Promise<void> {
    if (!this.cacheFile) return;
    try {
      const parsed = cacheFileSchema.safeParse(JSON.parse(await readFile(this.cacheFile, 'utf8')));
      // A missing or broken file only costs reading the models again.
      if (parsed.success) this.files = new Map(Object.entries(parsed.data.files));
    } catch {
      return;
    }
  }

  /** Writes the cache file (one write at a time; a failure only costs a rehash later). */
  private save(): Promise<void> {
    const { cacheFile } = this;
    if (!cacheFile) return Promise.resolve();
    this.saving = this.saving.then(() =>
      writeFileAtomic(cacheFile, JSON.stringify({ v: 1, files: Object.fromEntries(this.files) }), {
        overwrite: true,
      }).catch(() => undefined),
    );
    return this.saving;
  }
}
