/**
 * An advisory lock file that keeps two processes from opening one database folder. PGlite
 * has no lock of its own, and two writers would corrupt the database, so the gateway takes
 * `<folder>.lock` (holding its pid) before it opens the database and removes it on close.
 * A lock left by a process that died is taken over.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/** The folder is in use by another live process (or by this one, opened twice). */
export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(
      `The gateway database is in use by another process (pid ${pid}${pid === process.pid ? ', this one' : ''}). ` +
        `Stop that gateway first, or use the admin HTTP API while it runs. If no gateway is ` +
        `running, delete ${lockPath}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** A held lock; `release` is idempotent. */
export interface DirLock {
  readonly path: string;
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Takes the lock at `lockPath`, or throws {@link DataDirLockedError} when a live process
 * holds it. The pid is written to a temporary file first and hard-linked into place, so the
 * lock never appears half written and only one of two racing processes wins.
 */
export function acquireDirLock(lockPath: string): DirLock {
  const unique = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(unique, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(unique, lockPath);
        let released = false;
        return {
          path: lockPath,
          release() {
            if (released) return;
            released = true;
            if (readPid(lockPath) === process.pid) tryUnlink(lockPath);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readPid(lockPath);
      if (holder === null) continue; // released meanwhile: try again
      if (holder > 0 && isAlive(holder)) throw new DataDirLockedError(lockPath, holder);
      // Stale: move it aside, then check that what we moved is what we judged stale.
      const aside = `${unique}.stale`;
      try {
        renameSync(lockPath, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readPid(aside);
      if (moved !== holder && moved !== null && moved > 0 && isAlive(moved)) {
        // Another process took the lock between our read and our rename: put it back.
        try {
          linkSync(aside, lockPath);
        } finally {
          tryUnlink(aside);
        }
        throw new DataDirLockedError(lockPath, moved);
      }
      tryUnlink(aside);
    }
    throw new Error(`Could not take the lock ${lockPath}: it keeps changing`);
  } finally {
    tryUnlink(unique);
  }
}
