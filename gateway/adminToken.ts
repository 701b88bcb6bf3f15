/**
 * The admin API's bearer token. Given explicitly, it is used as is; otherwise it is read
 * from `<dataDir>/admin-token`, or created there (mode 0600) on the first start. Without a
 * data folder it lives only in memory. The token itself is never logged.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The token file's name inside the data folder. */
export const ADMIN_TOKEN_FILE = 'admin-token';

export interface AdminToken {
  token: string;
  /** Where it is stored, or null when it was given or lives only in memory. */
  file: string | null;
}

/** A new random admin token. */
export function newToken(): string {
  return `byoi-admin-${randomBytes(24).toString('base64url')}`;
}

function readToken(path: string): string | null {
  try {
    const token = readFileSync(path, 'utf8').trim();
    return token === '' ? null : token;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The admin token to use, creating and saving one when needed. */
export function loadOrCreateAdminToken(dataDir: string | null, given?: string): AdminToken {
  if (given) return { token: given, file: null };
  if (dataDir === null) return { token: newToken(), file: null };
  const folder = resolve(dataDir);
  const file = join(folder, ADMIN_TOKEN_FILE);
  const existing = readToken(file);
  if (existing) return { token: existing, file };
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const token = newToken();
  try {
    writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another start wrote it first: use theirs.
    const theirs = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readToken(file) : null;
    if (!theirs) throw error;
    return { token: theirs, file };
  }
  return { token, file };
}
