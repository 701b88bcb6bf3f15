/**
 * The gateway's lock on its database folder: PGlite has no lock of its own, and two writers
 * would corrupt the database, so the gateway takes `<folder>.lock` before it opens the
 * database and removes it on close. The lock itself is common/node/dirLock.ts, shared with
 * the node's data folder; this names the gateway in the error.
 */
import {
  acquireDirLock as acquireLock,
  DirLockedError,
  holderPhrase,
  type DirLock,
} from '../../common/node/dirLock.js';

export type { DirLock } from '../../common/node/dirLock.js';

/** The folder is in use by another live process (or by this one, opened twice). */
export class DataDirLockedError extends DirLockedError {
  constructor(lockPath: string, pid: number) {
    super(
      lockPath,
      pid,
      `The gateway database is in use by another process (${holderPhrase(pid)}). ` +
        `Stop that gateway first, or use the admin HTTP API while it runs. If no gateway is ` +
        `running, delete ${lockPath}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Takes the lock, or throws {@link DataDirLockedError} when a live process holds it. */
export function acquireDirLock(lockPath: string): DirLock {
  return acquireLock(lockPath, (path, pid) => new DataDirLockedError(path, pid));
}
