/** What every `byoi-node` command shares: its usage error and where its data folder is. */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** A mistake in the command line, shown to the user with the hint to read --help. */
export class UsageError extends Error {}

/** The data folder: --data-dir, else BYOI_DATA_DIR, else ~/.byoi-node (made absolute). */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolve(flag || env.BYOI_DATA_DIR || join(homedir(), '.byoi-node'));
}
