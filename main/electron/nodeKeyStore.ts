/**
 * The node's private key in the app: an Ed25519 PKCS8 PEM encrypted with `safeStorage`
 * (Keychain on macOS, DPAPI on Windows, the Secret Service or KWallet on Linux) and kept as
 * `<userData>/node-key.safestorage.json`. The decrypted PEM is handed to the engine process
 * in the environment variable {@link NODE_KEY_ENV}; it is never written in clear.
 *
 * On Linux, safeStorage's `basic_text` backend (no keyring found) encrypts with a password
 * built into Chromium: obfuscation, not protection. We refuse it, warn, and fall back to
 * what a headless node does: the engine keeps the key as a 0600 file in its data folder.
 * An encrypted key that cannot be decrypted (keyring reset, another user) is left untouched
 * and reported; a new identity is never made silently in its place.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/log.js';
import { NODE_KEY_FILE } from '../engine/link/identity.js';
import { writeFileAtomic } from '../engine/storage/atomicFile.js';
import type { SafeStorageLike } from './electronDeps.js';

/** The engine host reads the PEM from here (and deletes it from its environment at once). */
export const NODE_KEY_ENV = 'BYOI_NODE_KEY_PEM';
export const NODE_KEY_BLOB_FILE = 'node-key.safestorage.json';

export type NodeKeyResult =
  /** Decrypted from (or just sealed into) the safeStorage blob: pass `pem` to the engine. */
  | { kind: 'encrypted'; pem: string; blobPath: string }
  /** No usable keyring: the engine keeps `<engineDataDir>/node-key.pem` (0600) itself. */
  | { kind: 'file'; keyPath: string; warning: string }
  /** The sealed key exists but cannot be opened now; the engine must not start without it. */
  | { kind: 'error'; message: string };

export interface NodeKeyOptions {
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  userDataDir: string;
  engineDataDir: string;
  logger: Logger;
}

interface SealedKey {
  version: 1;
  /** base64 of safeStorage's ciphertext. */
  ciphertext: string;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why safeStorage cannot protect the key here, or null when it can. */
async function keyringProblem(options: NodeKeyOptions): Promise<string | null> {
  const available = await options.safeStorage.isAsyncEncryptionAvailable().catch(() => false);
  if (!available) return 'safeStorage encryption is not available on this system';
  if (options.platform !== 'linux') return null;
  const backend = options.safeStorage.getSelectedStorageBackend();
  if (backend === 'basic_text' || backend === 'unknown') {
    return (
      `no system keyring (GNOME Keyring, KWallet) was found: safeStorage's '${backend}' ` +
      'backend would only obfuscate the key with a password built into the app'
    );
  }
  return null;
}

function assertNodeKey(pem: string, where: string): void {
  const key = createPrivateKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${where} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

async function seal(safeStorage: SafeStorageLike, pem: string): Promise<string> {
  const ciphertext = await safeStorage.encryptStringAsync(pem);
  const sealed: SealedKey = { version: 1, ciphertext: ciphertext.toString('base64') };
  return JSON.stringify(sealed) + '\n';
}

async function unseal(safeStorage: SafeStorageLike, text: string, blobPath: string) {
  const sealed = JSON.parse(text) as Partial<SealedKey>;
  if (sealed.version !== 1 || typeof sealed.ciphertext !== 'string') {
    throw new Error(`${blobPath} is not a sealed node key`);
  }
  return safeStorage.decryptStringAsync(Buffer.from(sealed.ciphertext, 'base64'));
}

/** Loads the node key, creating or migrating it on first use. Never overwrites a sealed key. */
export async function loadNodeKey(options: NodeKeyOptions): Promise<NodeKeyResult> {
  const { safeStorage, logger } = options;
  const blobPath = join(options.userDataDir, NODE_KEY_BLOB_FILE);
  const keyPath = join(options.engineDataDir, NODE_KEY_FILE);
  const problem = await keyringProblem(options);
  const sealedText = await readIfExists(blobPath);

  if (sealedText !== undefined) {
    const untouched = `It was left untouched: fix the keyring and restart, or move the file aside to create a new node identity (and enroll again).`;
    if (problem) {
      return {
        kind: 'error',
        message: `The node key in ${blobPath} is encrypted, but ${problem}. ${untouched}`,
      };
    }
    try {
      const { result: pem, shouldReEncrypt } = await unseal(safeStorage, sealedText, blobPath);
      assertNodeKey(pem, blobPath);
      if (shouldReEncrypt) {
        await writeFileAtomic(blobPath, await seal(safeStorage, pem), { overwrite: true });
        logger.info('node key re-encrypted with the current keyring key');
      }
      return { kind: 'encrypted', pem, blobPath };
    } catch (error) {
      return {
        kind: 'error',
        message: `The node key in ${blobPath} could not be decrypted (${errorText(error)}). ${untouched}`,
      };
    }
  }

  if (problem) {
    const warning = `The node key is not encrypted with safeStorage: ${problem}. It is kept in ${keyPath} (readable only by you, mode 0600) as on a headless node.`;
    logger.warn(warning);
    return { kind: 'file', keyPath, warning };
  }

  // First start with a keyring: seal the key a previous run kept in clear, or a new one.
  const plain = await readIfExists(keyPath);
  if (plain !== undefined) assertNodeKey(plain, keyPath);
  const pem =
    plain ??
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  await mkdir(options.userDataDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(blobPath, await seal(safeStorage, pem), { overwrite: false });
  // Only drop the clear copy once the sealed one is proven to open.
  const check = await unseal(safeStorage, (await readIfExists(blobPath)) ?? '', blobPath);
  if (check.result !== pem) throw new Error(`${blobPath} does not decrypt to the key just sealed`);
  if (plain !== undefined) {
    await unlink(keyPath);
    logger.info('node key moved into safeStorage', { from: keyPath, to: blobPath });
  } else {
    logger.info('node key created in safeStorage', { path: blobPath });
  }
  return { kind: 'encrypted', pem, blobPath };
}
