/**
 * Moving a bad file out of the way without losing it: `<path>.bad-<UTC timestamp>`, so the
 * provider (or support) can still read what was there, and the next start sees no bad file.
 */
import { existsSync, renameSync } from 'node:fs';

/** `2026-11-24T10-00-00Z`: an ISO time without milliseconds, with no `:` (Windows file names). */
export function fileTimestamp(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replaceAll(':', '-');
}

/**
 * Renames `path` to `<path>.bad-<timestamp>` (with `-2`, `-3`, … when that name is taken, as
 * rename() would replace it) and returns the new path. Never deletes anything.
 */
export function setAsideFile(path: string, now: number = Date.now()): string {
  const base = `${path}.bad-${fileTimestamp(now)}`;
  let target = base;
  for (let n = 2; existsSync(target); n++) target = `${base}-${n}`;
  renameSync(path, target);
  return target;
}
