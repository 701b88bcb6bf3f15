/**
 * An advisory lock file that keeps two processes from using one data folder: the gateway
 * takes `<database folder>.lock` before it opens PGlite (which has no lock of its own, and
 * two writers would corrupt it), the node takes `<data folder>/node.lock` before it loads
 * anything (two nodes would fight over the gateway link with the same key). The file holds
 * the holder's pid, a mark unique to that process and, on Linux, the process's start time;
 * it is removed on release. A lock left by a process that died is taken over, even when the
 * new process has the same pid (PID 1 in every container) or the pid went to another
 * program meanwhile.
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

/** This process's mark in the lock file: a pid comes back (PID 1 in a container), a mark never does. */
const PROCESS_MARK = randomBytes(9).toString('base64url');

/** Who a lock file names. Files written before marks existed hold only the pid. */
interface Holder {
  pid: number;
  mark?: string;
  /** The kernel's start time of that pid, in clock ticks since boot (Linux). */
  startTime?: string;
}

/** `/proc/<pid>/stat` field 22, or undefined off Linux or when the pid is gone. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function lockContent(): string {
  return `${process.pid} ${PROCESS_MARK} ${startTimeOf(process.pid) ?? '-'}\n`;
}

/** Whether the holder is a process running now, and the one that wrote the lock. */
function isLive(holder: Holder): boolean {
  if (holder.pid <= 0) return false;
  if (holder.pid === process.pid) return holder.mark === PROCESS_MARK;
  if (!isAlive(holder.pid)) return false;
  if (holder.startTime === undefined || holder.startTime === '-') return true;
  const now = startTimeOf(holder.pid);
  return now === undefined || now === holder.startTime;
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

/** The lock's holder, null when there is no lock; a pid of 0 means the file is unreadable. */
function readHolder(path: string): Holder | null {
  try {
    const [pidText, mark, startTime] = readFileSync(path, 'utf8').trim().split(/\s+/);
    const pid = Number(pidText);
    return { pid: Number.isSafeInteger(pid) && pid > 0 ? pid : 0, mark, startTime };
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
  writeFileSync(unique, lockContent(), { mode: 0o600 });
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
            if (readHolder(lockPath)?.mark === PROCESS_MARK) tryUnlink(lockPath);
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lockPath);
      if (holder === null) continue; // released meanwhile: try again
      if (isLive(holder)) throw locked(lockPath, holder.pid);
      // Stale: move it aside, then check that what we moved is what we judged stale.
      const aside = `${unique}.stale`;
      try {
        renameSync(lockPath, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readHolder(aside);
      const same = moved?.pid === holder.pid && moved.mark === holder.mark;
      if (moved !== null && !same && isLive(moved)) {
        // Another process took the lock between our read and our rename: put it back.
        try {
          linkSync(aside, lockPath);
        } finally {
          tryUnlink(aside);
        }
        throw locked(lockPath, moved.pid);
      }
      tryUnlink(aside);
    }
    throw new Error(`Could not take the lock ${lockPath}: it keeps changing`);
  } finally {
    tryUnlink(unique);
  }
}
