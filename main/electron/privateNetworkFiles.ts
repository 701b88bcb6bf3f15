/**
 * What the private network keeps in the app's userData folder: the gateway's admin token
 * (`gateway-admin-token`, hex, 0600) and what was provisioned on it (`private-network.json`,
 * 0600 because it holds the clients' API key): the port, the org, the key and whether the
 * engine joined. Its presence means "the user chose a private network": the app starts
 * the gateway again on the next launch.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export const PRIVATE_NETWORK_FILES = {
  /** Inside the gateway's data folder, where the gateway itself reads it (never on its command line). */
  adminToken: 'gateway/admin-token',
  state: 'private-network.json',
  gatewayDir: 'gateway',
} as const;

const stateSchema = z.object({
  version: z.literal(1),
  /** The gateway's port once it first listened; it is asked for again on every start. */
  port: z.number().int().min(1).max(65535).nullable(),
  orgId: z.string().min(1).nullable(),
  apiKeyId: z.string().min(1).nullable(),
  /** The clients' key (`byoi-sk-…`): the gateway keeps only its hash, so it is kept here. */
  apiKey: z.string().min(1).nullable(),
  /** A code made but not yet used by the engine (kept so a retry does not make another). */
  enrollmentCode: z.string().min(1).nullable(),
  joined: z.boolean(),
});

export type PrivateNetworkState = z.infer<typeof stateSchema>;

export const EMPTY_PRIVATE_NETWORK_STATE: PrivateNetworkState = {
  version: 1,
  port: null,
  orgId: null,
  apiKeyId: null,
  apiKey: null,
  enrollmentCode: null,
  joined: false,
};

const statePath = (userDataDir: string) => join(userDataDir, PRIVATE_NETWORK_FILES.state);

/** Whether the user set up a private network on this machine. */
export function hasPrivateNetworkState(userDataDir: string): boolean {
  return existsSync(statePath(userDataDir));
}

/**
 * The saved state; an empty one when there is none. A file that does not parse is moved
 * aside (`.corrupt`) rather than overwritten, and the caller starts over.
 */
export function readPrivateNetworkState(
  userDataDir: string,
  warn: (message: string) => void,
): PrivateNetworkState {
  const path = statePath(userDataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_PRIVATE_NETWORK_STATE;
    throw error;
  }
  let parsed: ReturnType<typeof stateSchema.safeParse>;
  try {
    parsed = stateSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = stateSchema.safeParse(undefined);
  }
  if (parsed.success) return parsed.data;
  renameSync(path, `${path}.corrupt`);
  warn(`${path} was unreadable; moved aside to ${path}.corrupt`);
  return EMPTY_PRIVATE_NETWORK_STATE;
}

/** Writes the state atomically (temp file, then rename), mode 0600. */
export function writePrivateNetworkState(userDataDir: string, state: PrivateNetworkState): void {
  mkdirSync(userDataDir, { recursive: true });
  const path = statePath(userDataDir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/** The gateway's admin token: read from the 0600 file, or made (32 random bytes, hex). */
export function loadOrCreateGatewayAdminToken(userDataDir: string): string {
  const path = join(userDataDir, PRIVATE_NETWORK_FILES.adminToken);
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(token)) {
      chmodSync(path, 0o600); // in case something loosened it
      return token;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const token = randomBytes(32).toString('hex');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing, unusable file keeps its mode on overwrite
  return token;
}
