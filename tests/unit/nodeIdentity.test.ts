/** The node's Ed25519 identity on disk: created once, 0600, reused, never replaced. */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { challengeSigningBytes } from '../../common/protocol.js';
import {
  IdentityError,
  identityFromPem,
  loadOrCreateIdentity,
  NODE_KEY_FILE,
  verifyEd25519,
} from '../../main/engine/link/identity.js';

const posix = process.platform !== 'win32';
let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'byoi-identity-'));
  dataDir = join(root, 'data', 'node');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Verifies with node:crypto directly, independently of verifyEd25519. */
function verifiesWithRawKey(publicKeyB64: string, bytes: Uint8Array, signatureB64: string) {
  const key = createPublicKey({
    key: {
      kty: 'OKP',
      crv: 'Ed25519',
      x: Buffer.from(publicKeyB64, 'base64').toString('base64url'),
    },
    format: 'jwk',
  });
  return verify(null, bytes, key, Buffer.from(signatureB64, 'base64'));
}

describe('loadOrCreateIdentity', () => {
  it('creates the data folder (0700) and a PKCS8 key file (0600) on first start', async () => {
    const identity = await loadOrCreateIdentity(dataDir);
    const keyPath = join(dataDir, NODE_KEY_FILE);
    expect(identity.keyPath).toBe(keyPath);
    expect(readFileSync(keyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(Buffer.from(identity.publicKey, 'base64')).toHaveLength(32);
    if (posix) {
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    }
    expect(readdirSync(dataDir)).toEqual([NODE_KEY_FILE]); // no temporary file left
  });

  it('reuses the same key on the next start', async () => {
    const first = await loadOrCreateIdentity(dataDir);
    const before = readFileSync(first.keyPath);
    const second = await loadOrCreateIdentity(dataDir);
    expect(second.publicKey).toBe(first.publicKey);
    expect(readFileSync(second.keyPath)).toEqual(before);
  });

  it('agrees on one key when two starts race to create it', async () => {
    const identities = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateIdentity(dataDir)));
    expect(new Set(identities.map((identity) => identity.publicKey)).size).toBe(1);
    expect(readdirSync(dataDir)).toEqual([NODE_KEY_FILE]);
  });

  it('signs challenges so that the raw public key verifies them', async () => {
    const identity = await loadOrCreateIdentity(dataDir);
    const bytes = challengeSigningBytes('bm9uY2U=');
    const signature = identity.sign(bytes);
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifiesWithRawKey(identity.publicKey, bytes, signature)).toBe(true);
    expect(verifyEd25519(identity.publicKey, bytes, signature)).toBe(true);
  });

  it.each([
    ['not a key at all\n'],
    ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    [''],
  ])('refuses a corrupt key file and leaves it untouched (%#)', async (content) => {
    await loadOrCreateIdentity(dataDir);
    const keyPath = join(dataDir, NODE_KEY_FILE);
    writeFileSync(keyPath, content);
    await expect(loadOrCreateIdentity(dataDir)).rejects.toThrow(IdentityError);
    await expect(loadOrCreateIdentity(dataDir)).rejects.toThrow(/left untouched/);
    expect(readFileSync(keyPath, 'utf8')).toBe(content);
  });

  it('refuses a key of another type', async () => {
    await loadOrCreateIdentity(dataDir);
    const keyPath = join(dataDir, NODE_KEY_FILE);
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const pem = ecKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(keyPath, pem);
    await expect(loadOrCreateIdentity(dataDir)).rejects.toThrow(/ec key, not Ed25519/);
    expect(readFileSync(keyPath, 'utf8')).toBe(pem);
  });

  it.skipIf(!posix)('tightens a key file that others could read back to 0600', async () => {
    const identity = await loadOrCreateIdentity(dataDir);
    chmodSync(identity.keyPath, 0o644);
    expect((await loadOrCreateIdentity(dataDir)).publicKey).toBe(identity.publicKey);
    expect(statSync(identity.keyPath).mode & 0o777).toBe(0o600);
  });
});

describe('verifyEd25519', () => {
  it('refuses changed bytes, another key, and a changed signature', async () => {
    const identity = await loadOrCreateIdentity(dataDir);
    const other = await loadOrCreateIdentity(join(root, 'other'));
    const bytes = new TextEncoder().encode('receipt');
    const signature = identity.sign(bytes);
    expect(verifyEd25519(identity.publicKey, new TextEncoder().encode('receipT'), signature)).toBe(
      false,
    );
    expect(verifyEd25519(other.publicKey, bytes, signature)).toBe(false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[0]! ^= 1;
    expect(verifyEd25519(identity.publicKey, bytes, flipped.toString('base64'))).toBe(false);
  });

  it.each([
    ['', 'AAAA'],
    ['not base64 !!', ''],
    [Buffer.alloc(31).toString('base64'), Buffer.alloc(64).toString('base64')],
    [Buffer.alloc(32).toString('base64'), Buffer.alloc(63).toString('base64')],
  ])('returns false for a malformed key or signature (%#)', (key, signature) => {
    expect(verifyEd25519(key, new Uint8Array([1, 2, 3]), signature)).toBe(false);
  });
});

describe('identityFromPem', () => {
  it('signs with a key held outside the data folder (the app keyring)', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const identity = identityFromPem(pem, 'the keyring');
    const bytes = challengeSigningBytes('nonce');
    expect(verifyEd25519(identity.publicKey, bytes, identity.sign(bytes))).toBe(true);
  });

  it('refuses a key that is not Ed25519, naming where it came from', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => identityFromPem(pem, 'the keyring')).toThrow(/the keyring is a ec key/);
  });
});
