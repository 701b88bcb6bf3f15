/**
 * Ed25519 helpers for the gateway: raw 32-byte public keys as base64 (the form the link
 * protocol carries), and signature checks that answer false instead of throwing.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Whether `value` is the canonical base64 of 32 bytes (a raw Ed25519 public key). */
export function isRawEd25519PublicKey(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === value;
}

/** A node:crypto public key from its base64 raw form; throws for anything else. */
export function publicKeyFromRaw(publicKeyBase64: string): KeyObject {
  if (!isRawEd25519PublicKey(publicKeyBase64)) {
    throw new RangeError('An Ed25519 public key must be the base64 of 32 raw bytes');
  }
  const der = Buffer.concat([SPKI_PREFIX, Buffer.from(publicKeyBase64, 'base64')]);
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/** The base64 raw 32 bytes of an Ed25519 public (or private) key. */
export function rawPublicKey(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  if (
    der.length !== SPKI_PREFIX.length + 32 ||
    !der.subarray(0, SPKI_PREFIX.length).equals(SPKI_PREFIX)
  ) {
    throw new RangeError('Not an Ed25519 key');
  }
  return der.subarray(SPKI_PREFIX.length).toString('base64');
}

/** Exactly `length` bytes from base64 in either alphabet (standard or url-safe), else null. */
function decodeBase64(value: unknown, length: number): Buffer | null {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return null;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === length ? bytes : null;
}

/**
 * Whether `signatureBase64` is a valid Ed25519 signature of `bytes` by the raw public key.
 * Either base64 alphabet is accepted; malformed keys or signatures are simply invalid.
 */
export function verifyEd25519(
  publicKeyBase64: string,
  bytes: Uint8Array,
  signatureBase64: string,
): boolean {
  const raw = decodeBase64(publicKeyBase64, 32);
  const signature = decodeBase64(signatureBase64, 64);
  if (!raw || !signature) return false;
  try {
    return verify(null, bytes, publicKeyFromRaw(raw.toString('base64')), signature);
  } catch {
    return false;
  }
}
