import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDirLock, DirLockedError, type DirLock } from '../../common/node/dirLock.js';
import { tempDir } from '../gateway/helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
let lockPath: string;
const held: DirLock[] = [];
beforeEach(async () => {
  dir = await tempDir();
  lockPath = join(dir.path, 'data.lock');
});
afterEach(async () => {
  for (const lock of held.splice(0)) lock.release();
  await dir.remove();
});

const locked = (path: string, pid: number) => new DirLockedError(path, pid, `held by ${pid}`);
const take = () => {
  const lock = acquireDirLock(lockPath, locked);
  held.push(lock);
  return lock;
};
/** The kernel's start time of a pid, as the lock records it. */
const startTime = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('data folder lock', () => {
  it('refuses a second open by the same process, and names this process', () => {
    take();
    expect(() => take()).toThrow(DirLockedError);
    try {
      take();
    } catch (error) {
      expect((error as DirLockedError).pid).toBe(process.pid);
    }
  });

  it('takes over a lock left by an earlier process with the same pid (PID 1 in a container)', () => {
    writeFileSync(lockPath, `${process.pid} an-earlier-process 12\n`);
    const lock = take();
    expect(readFileSync(lockPath, 'utf8')).not.toContain('an-earlier-process');
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock whose pid now belongs to a process started later', () => {
    writeFileSync(lockPath, `${process.ppid} someone-else 1\n`);
    take();
    expect(readFileSync(lockPath, 'utf8').split(' ')[0]).toBe(String(process.pid));
  });

  it('respects a live holder, in the current format and in the pid-only one', () => {
    writeFileSync(lockPath, `${process.ppid} the-parent ${startTime(process.ppid)}\n`);
    expect(() => take()).toThrow(`held by ${process.ppid}`);
    writeFileSync(lockPath, `${process.ppid}\n`);
    expect(() => take()).toThrow(`held by ${process.ppid}`);
  });

  it('does not remove a lock another process took over', () => {
    const lock = take();
    writeFileSync(lockPath, `${process.ppid} the-parent ${startTime(process.ppid)}\n`);
    lock.release();
    expect(existsSync(lockPath)).toBe(true);
  });
});
