/**
 * One node per data folder: two nodes with the same key would replace each other's gateway
 * link forever, and both would write the ledger. The node takes `<dataDir>/node.lock` (the
 * gateway's kind of lock, common/node/dirLock.ts) before it loads anything.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  acquireDirLock,
  DirLockedError,
  holderPhrase,
  type DirLock,
} from '../../../common/node/dirLock.js';

export type { DirLock } from '../../../common/node/dirLock.js';

export const NODE_LOCK_FILE = 'node.lock';

/** Another live node (or this process, opened twice) uses the folder. */
export class NodeDataDirLockedError extends DirLockedError {
  constructor(
    readonly dataDir: string,
    lockPath: string,
    pid: number,
  ) {
    super(
      lockPath,
      pid,
      `Another byoi-node (${holderPhrase(pid)}) is using the data folder ${dataDir}. Stop it ` +
        `first, or give this one its own --data-dir. If no node is running, delete ${lockPath}.`,
    );
    this.name = 'NodeDataDirLockedError';
  }
}

/** Takes the data folder's lock (making the folder if needed); release it on stop. */
export function lockNodeDataDir(dataDir: string): DirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return acquireDirLock(
    join(dataDir, NODE_LOCK_FILE),
    (lockPath, pid) => new NodeDataDirLockedError(dataDir, lockPath, pid),
  );
}
