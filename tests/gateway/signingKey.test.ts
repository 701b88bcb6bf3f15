import { generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRawEd25519PublicKey, verifyEd25519 } from '../../gateway/accounting/ed25519.js';
import {
  loadOrCreateSigningKey,
  SIGNING_KEY_FILE,
  SigningKeyError,
} from '../../gateway/accounting/signingKey.js';
import { tempDir } from './helpers.js';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(() => dir.remove());

const bytes = new TextEncoder().encode('byoi-receipt-v1\njob-1');

describe('loadOrCreateSigningKey', () => {
  it('creates a 0600 PKCS#8 key on the first start and reuses it afterwards', async () => {
    const first = loadOrCreateSigningKey(join(dir.path, 'data'));
    const path = join(dir.path, 'data', SIGNING_KEY_FILE);
    expect(first.created).toBe(true);
    expect(first.path).toBe(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(await readdir(join(dir.path, 'data'))).toEqual([SIGNING_KEY_FILE]); // no temporary left
    expect(isRawEd25519PublicKey(first.publicKey)).toBe(true);

    const again = loadOrCreateSigningKey(join(dir.path, 'data'));
    expect(again.created).toBe(false);
    expect(again.publicKey).toBe(first.publicKey);
    expect(verifyEd25519(first.publicKey, bytes, again.sign(bytes))).toBe(true);
  });

  it('refuses a corrupt key file and leaves it untouched', async () => {
    const path = join(dir.path, SIGNING_KEY_FILE);
    await writeFile(path, 'not a key\n', { mode: 0o600 });
    expect(() => loadOrCreateSigningKey(dir.path)).toThrow(SigningKeyError);
    expect(() => loadOrCreateSigningKey(dir.path)).toThrow(
      /not a readable PEM private key.*left untouched/,
    );
    expect(await readFile(path, 'utf8')).toBe('not a key\n');
  });

  it('refuses a key file that is not Ed25519', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    await writeFile(join(dir.path, SIGNING_KEY_FILE), rsa.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => loadOrCreateSigningKey(dir.path)).toThrow(/holds a rsa key, not Ed25519/);
  });

  it('makes a fresh in-memory key for null', () => {
    const a = loadOrCreateSigningKey(null);
    const b = loadOrCreateSigningKey(null);
    expect(a.path).toBeNull();
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(verifyEd25519(b.publicKey, bytes, a.sign(bytes))).toBe(false);
  });
});

describe('verifyEd25519', () => {
  const key = loadOrCreateSigningKey(null);
  const signature = key.sign(bytes);

  it('accepts the signature and rejects tampering of bytes, signature or key', () => {
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verifyEd25519(key.publicKey, bytes, signature)).toBe(true);
    const urlSafe = (b64: string) => Buffer.from(b64, 'base64').toString('base64url');
    expect(verifyEd25519(urlSafe(key.publicKey), bytes, urlSafe(signature))).toBe(true);
    const tampered = Uint8Array.from(bytes);
    tampered[tampered.length - 1] ^= 1;
    expect(verifyEd25519(key.publicKey, tampered, signature)).toBe(false);
    const flipped = Buffer.from(signature, 'base64');
    flipped[0]! ^= 1;
    expect(verifyEd25519(key.publicKey, bytes, flipped.toString('base64'))).toBe(false);
    expect(verifyEd25519(loadOrCreateSigningKey(null).publicKey, bytes, signature)).toBe(false);
  });

  it('answers false, never throws, for malformed input', () => {
    expect(verifyEd25519('short', bytes, signature)).toBe(false);
    expect(verifyEd25519(key.publicKey, bytes, 'not base64!')).toBe(false);
    expect(verifyEd25519(key.publicKey, bytes, '')).toBe(false);
    expect(isRawEd25519PublicKey(Buffer.alloc(31).toString('base64'))).toBe(false);
    expect(isRawEd25519PublicKey(42)).toBe(false);
  });
});
