/**
 * The gateway's Ed25519 key that signs receipts. It lives as a PKCS#8 PEM file, mode 0600,
 * in the data folder, and is created once: a node pins the public key it was given at
 * enrollment, so the key must survive restarts and is never replaced silently.
 */
import {
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rawPublicKey } from './ed25519.js';

/** The key file's name inside the data folder. */
export const SIGNING_KEY_FILE = 'gateway-signing-key.pem';

/** Signs bytes with the gateway's key. */
export interface ReceiptSigner {
  /** base64 raw 32-byte Ed25519 public key */
  readonly publicKey: string;
  /** base64 64-byte Ed25519 signature of `bytes` */
  sign(bytes: Uint8Array): string;
}

/** The loaded key, with where it came from. */
export interface SigningKey extends ReceiptSigner {
  /** The PEM file, or null for an in-memory key. */
  readonly path: string | null;
  /** Whether this call created the key (the first start with this data folder). */
  readonly created: boolean;
}

/** The key file exists but cannot be used; it is left untouched. */
export class SigningKeyError extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(
      `The gateway signing key ${path} ${problem}. It was left untouched: restore it from a ` +
        `backup, or move it away to have a new key created (enrolled nodes will then see a ` +
        `different gateway key).`,
    );
    this.name = 'SigningKeyError';
  }
}

function signerFor(privateKey: KeyObject, path: string | null, created: boolean): SigningKey {
  return {
    publicKey: rawPublicKey(privateKey),
    path,
    created,
    sign: (bytes) => sign(null, bytes, privateKey).toString('base64'),
  };
}

function parseKeyFile(path: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SigningKeyError(
      path,
      `is not a readable PEM private key (${(error as Error).message})`,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(
      path,
      `holds a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`,
    );
  }
  return key;
}

function readKeyFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new SigningKeyError(path, `cannot be read (${(error as Error).message})`);
  }
}

/** Makes a new directory entry durable; best effort, as some filesystems refuse. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}

/**
 * Writes the PEM to a private temporary file, syncs it, then hard-links it into place, so
 * the key file is never seen half written, and a key that a concurrent start created first
 * wins instead of being overwritten. Returns false when such a key already exists.
 */
function writeKeyFileOnce(path: string, pem: string): boolean {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, pem);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    syncFolder(dirname(path));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** A new Ed25519 private key as PKCS#8 PEM (a cluster stores it in its database). */
export function newSigningKeyPem(): string {
  return generateKeyPairSync('ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
}

/** The signer of a stored PEM; `where` names its place in errors (e.g. the database). */
export function signingKeyFromPem(pem: string, where: string): SigningKey {
  return signerFor(parseKeyFile(where, pem), null, false);
}

/**
 * Loads `<dataDir>/gateway-signing-key.pem`, creating it (mode 0600) on the first start.
 * With `null`, a fresh in-memory key (tests, demos). Throws {@link SigningKeyError} for a
 * key file that exists but is unusable, rather than replacing it.
 */
export function loadOrCreateSigningKey(dataDir: string | null): SigningKey {
  if (dataDir === null) {
    return signerFor(generateKeyPairSync('ed25519').privateKey, null, false);
  }
  const folder = resolve(dataDir);
  const path = join(folder, SIGNING_KEY_FILE);
  const existing = readKeyFile(path);
  if (existing !== null) return signerFor(parseKeyFile(path, existing), path, false);

  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  if (writeKeyFileOnce(path, pem)) return signerFor(privateKey, path, true);
  const theirs = readKeyFile(path);
  if (theirs === null) throw new SigningKeyError(path, 'disappeared while it was being created');
  return signerFor(parseKeyFile(path, theirs), path, false);
}
