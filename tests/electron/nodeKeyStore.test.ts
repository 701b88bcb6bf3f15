/**
 * The node key under safeStorage, with a stand-in safeStorage (no Electron binary here) and
 * temporary folders.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NODE_KEY_FILE } from '../../main/engine/link/identity.js';
import {
  loadNodeKey,
  NODE_KEY_BLOB_FILE,
  type NodeKeyOptions,
} from '../../main/electron/nodeKeyStore.js';
import { FakeSafeStorage, recordingLogger } from './fakes.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(platform: NodeJS.Platform = 'linux') {
  const userDataDir = await mkdtemp(join(tmpdir(), 'byoi-key-'));
  dirs.push(userDataDir);
  const safeStorage = new FakeSafeStorage();
  const logger = recordingLogger();
  const options: NodeKeyOptions = {
    safeStorage,
    platform,
    userDataDir,
    engineDataDir: join(userDataDir, 'engine'),
    logger,
  };
  return {
    options,
    safeStorage,
    logger,
    blobPath: join(userDataDir, NODE_KEY_BLOB_FILE),
    plainPath: join(userDataDir, 'engine', NODE_KEY_FILE),
  };
}

const newPem = () =>
  generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('node key in safeStorage', () => {
  it('creates an Ed25519 key sealed with safeStorage, and opens the same key next time', async () => {
    const { options, blobPath } = await setup();
    const first = await loadNodeKey(options);
    expect(first.kind).toBe('encrypted');
    if (first.kind !== 'encrypted') return;
    expect(createPrivateKey(first.pem).asymmetricKeyType).toBe('ed25519');
    const sealed = await readFile(blobPath, 'utf8');
    expect(sealed).not.toContain('PRIVATE KEY');
    if (process.platform !== 'win32') expect((await stat(blobPath)).mode & 0o777).toBe(0o600);
    const second = await loadNodeKey(options);
    expect(second).toEqual(first);
  });

  it('moves a key kept in clear by an earlier run into safeStorage, then deletes the clear copy', async () => {
    const { options, plainPath } = await setup();
    const pem = newPem();
    await mkdir(options.engineDataDir, { recursive: true });
    await writeFile(plainPath, pem, { mode: 0o600 });
    const result = await loadNodeKey(options);
    expect(result).toMatchObject({ kind: 'encrypted', pem });
    await expect(stat(plainPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("refuses Linux's basic_text backend: warns and leaves the key to the engine's 0600 file", async () => {
    const { options, safeStorage, logger, blobPath } = await setup('linux');
    safeStorage.backend = 'basic_text';
    const result = await loadNodeKey(options);
    expect(result).toMatchObject({
      kind: 'file',
      keyPath: join(options.engineDataDir, NODE_KEY_FILE),
    });
    expect(result.kind === 'file' && result.warning).toMatch(/basic_text.*0600/s);
    expect(logger.entries.some((entry) => entry.level === 'warn')).toBe(true);
    await expect(stat(blobPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not ask for the Linux backend elsewhere, and falls back when encryption is unavailable', async () => {
    const mac = await setup('darwin');
    mac.safeStorage.backend = 'unknown'; // would be refused on Linux
    expect((await loadNodeKey(mac.options)).kind).toBe('encrypted');
    const windows = await setup('win32');
    windows.safeStorage.available = false;
    expect(await loadNodeKey(windows.options)).toMatchObject({ kind: 'file' });
  });

  it('leaves a sealed key it cannot open untouched and says why, rather than making a new one', async () => {
    const { options, safeStorage, blobPath } = await setup();
    await loadNodeKey(options);
    const before = await readFile(blobPath, 'utf8');
    safeStorage.keyId = 'k2'; // the keyring was reset
    const result = await loadNodeKey(options);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.message).toMatch(
      /could not be decrypted.*left untouched/s,
    );
    safeStorage.backend = 'basic_text';
    expect(await loadNodeKey(options)).toMatchObject({ kind: 'error' });
    expect(await readFile(blobPath, 'utf8')).toBe(before);
  });

  it('re-encrypts when safeStorage asks to', async () => {
    const { options, safeStorage, blobPath } = await setup();
    const first = await loadNodeKey(options);
    const decrypt = safeStorage.decryptStringAsync;
    safeStorage.decryptStringAsync = async (data) => ({
      ...(await decrypt(data)),
      shouldReEncrypt: true,
    });
    safeStorage.keyId = 'k1'; // same key id, so the new blob still opens
    const encrypt = safeStorage.encryptStringAsync;
    let sealedAgain = 0;
    safeStorage.encryptStringAsync = async (text) => {
      sealedAgain++;
      return encrypt(text);
    };
    const second = await loadNodeKey(options);
    expect(second).toEqual(first);
    expect(sealedAgain).toBe(1);
    expect(await readFile(blobPath, 'utf8')).not.toContain('PRIVATE KEY');
  });
});
