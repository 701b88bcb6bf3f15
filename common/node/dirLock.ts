/**
 * An advisory lock file that keeps two processes from using one data folder: the gateway
 * takes `<database folder>.lock` before it opens PGlite (which has no lock of its own, and
 * two writers would corrupt it), the node takes `<data folder>/node.lock` before it loads
 * anything (two nodes would fight over the gateway link with the same key). The file holds
 * the holder's pid and is removed on release; a lock left by a process that died is taken
 * over.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';

/** The folder is in use by another live process (or by this one, opened twice). */
export class DirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly pid: number,
    message: string,
  ) {
    super(message);
    this.name = 'DirLockedError';
  }
}

/** Builds the error a caller shows when the lock is held; `pid` is the holder. */
export type LockedErrorFactory = (lockPath: string, pid: number) => DirLockedError;

/** "pid 42" or "pid 42, this one": a second open in the same process is a bug worth naming. */
export function holderPhrase(pid: number): string {
  return `pid ${pid}${pid === process.pid ? ', this one' : ''}`;
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
 * Takes the lock at `lockPath`, or throws what `locked` builds when a live process holds
 * it. The pid is written to a temporary file first and hard-linked into place, so the lock
 * never appears half written and only one of two racing processes wins.
 */
export function acquireDirLock(lockPath: string, locked: LockedErrorFactory): DirLock {
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
      if (holder > 0 && isAlive(holder)) throw locked(lockPath, holder);
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
        throw locked(lockPath, moved);
      }
      tryUnlink(aside);
    }
    throw new Error(`Could not take the lock ${lockPath}: it keeps changing`);
  } finally {
    tryUnlink(unique);
  }
}
