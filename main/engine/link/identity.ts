/**
 * The node's identity: an Ed25519 keypair made on first start. Headless, the private key is
 * a PKCS8 PEM file readable only by its owner (0600) in the data folder; it never leaves the
 * machine. Only signatures and the public key do.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomicFile.js';

/** The private key's file name inside the data folder. */
export const NODE_KEY_FILE = 'node-key.pem';

/** The node's keypair, with the private half kept inside `sign`. */
export interface NodeIdentity {
  /** base64 of the raw 32-byte Ed25519 public key. */
  publicKey: string;
  /** Where the private key is stored. */
  keyPath: string;
  /** Signs `bytes`; returns the base64 signature (64 bytes). */
  sign(bytes: Uint8Array): string;
}

/** The key file exists but cannot be used. The file is left exactly as it was. */
export class IdentityError extends Error {
  override name = 'IdentityError';
}

function toBase64(base64url: string): string {
  return Buffer.from(base64url, 'base64url').toString('base64');
}

function identityOf(privateKey: KeyObject, keyPath: string): NodeIdentity {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new IdentityError(`${keyPath}: no public key in the key`);
  return {
    publicKey: toBase64(jwk.x),
    keyPath,
    sign: (bytes) => sign(null, bytes, privateKey).toString('base64'),
  };
}

function parseKey(pem: string, keyPath: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new IdentityError(
      `The node key ${keyPath} is not a readable private key (${error instanceof Error ? error.message : String(error)}). ` +
        'It was left untouched. Restore it from a backup, or move it aside to create a new identity and enroll again.',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new IdentityError(
      `The node key ${keyPath} is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519. ` +
        'It was left untouched. Move it aside to create a new identity and enroll again.',
    );
  }
  return key;
}

/**
 * The identity of a PEM key held elsewhere (the desktop app keeps it encrypted with the OS
 * keyring and hands it to the engine); `label` names it in messages.
 */
export function identityFromPem(pem: string, label: string): NodeIdentity {
  return identityOf(parseKey(pem, label), label);
}

/**
 * Loads the node's key from `<dataDir>/node-key.pem`, or makes one on first start (the data
 * folder is created 0700, the key file 0600, written atomically). A key file that cannot be
 * parsed is refused with an {@link IdentityError} and never replaced.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<NodeIdentity> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const keyPath = join(dataDir, NODE_KEY_FILE);
  const existing = await readFile(keyPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new IdentityError(`Cannot read the node key ${keyPath}: ${error.message}`);
  });
  if (existing !== undefined) {
    const key = parseKey(existing, keyPath);
    // A key others can read is no secret: tighten it, as ssh would insist on.
    if (process.platform !== 'win32') await chmod(keyPath, 0o600);
    return identityOf(key, keyPath);
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    await writeFileAtomic(keyPath, pem, { mode: 0o600, overwrite: false });
  } catch (error) {
    // Another process made the key first: use that one, so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateIdentity(dataDir);
    throw error;
  }
  return identityOf(privateKey, keyPath);
}

/**
 * Whether `signatureB64` is a valid Ed25519 signature of `bytes` by the raw public key
 * `publicKeyB64` (both base64). Never throws: a malformed key or signature is just invalid.
 */
export function verifyEd25519(
  publicKeyB64: string,
  bytes: Uint8Array,
  signatureB64: string,
): boolean {
  try {
    const raw = Buffer.from(publicKeyB64, 'base64');
    const signature = Buffer.from(signatureB64, 'base64');
    if (raw.length !== 32 || signature.length !== 64) return false;
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    return verify(null, bytes, key, signature);
  } catch {
    return false;
  }
}
