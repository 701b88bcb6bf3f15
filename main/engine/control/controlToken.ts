/**
 * The control API's bearer token: 32 random bytes as hex in `<dataDir>/control-token`
 * (mode 0600), made on first use and kept across restarts, so dashboards and scripts can
 * read it from the file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomicFile.js';

export const CONTROL_TOKEN_FILE = 'control-token';

/** The dashboard's address with the token in the fragment, which browsers never send. */
export function dashboardAddress(controlURL: string, token: string): string {
  return `${controlURL}/#token=${token}`;
}

/** Reads the token, or creates it; a file without a usable token is an error, not replaced. */
export async function loadOrCreateControlToken(dataDir: string): Promise<string> {
  const path = join(dataDir, CONTROL_TOKEN_FILE);
  const existing = await readToken(path);
  if (existing !== undefined) return existing;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    await writeFileAtomic(path, `${randomBytes(32).toString('hex')}\n`, { overwrite: false });
  } catch (error) {
    // Another process made it a moment ago: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const created = await readToken(path);
  if (created === undefined) throw new Error(`could not create ${path}`);
  return created;
}

async function readToken(path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const token = text.trim();
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(token)) {
    throw new Error(
      `${path} does not hold a usable token (16 to 256 letters, digits, - or _); fix or move it aside`,
    );
  }
  return token;
}
