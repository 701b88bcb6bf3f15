/**
 * Files written whole or not at all: a temporary file in the same folder, flushed, then moved
 * into place. A crash leaves either the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { link, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600). */
  mode?: number;
  /**
   * When false, an existing file is never replaced: the write fails with an `EEXIST` error
   * instead, even if another process created the file a moment ago.
   */
  overwrite: boolean;
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP']);

/** Writes `data` to `path` atomically. */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const temp = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  const handle = await open(temp, 'wx', options.mode ?? 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    if (options.overwrite) {
      await rename(temp, path);
      return;
    }
    // link() refuses to replace an existing file, unlike rename().
    await link(temp, path).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST' || !NO_HARD_LINKS.has(error.code ?? '')) throw error;
      // Filesystems without hard links: check, then rename (a narrow race, but no half file).
      const exists = await stat(path).then(
        () => true,
        () => false,
      );
      if (exists) throw Object.assign(new Error(`${path} already exists`), { code: 'EEXIST' });
      await rename(temp, path);
    });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
