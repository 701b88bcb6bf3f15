/**
 * Packages the built app with the real electron-builder.yml (`electron-builder --dir --linux`)
 * around a stand-in Electron (see standInElectron.ts), then checks what users would get:
 * app.asar's contents, node-llama-cpp's binaries unpacked beside it, nothing leaked in, and
 * the fuses flipped as the config says. Needs `npm run build` first (`npm test` does it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import * as asar from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import beforePack, { llamaBinaryPackages } from '../../scripts/beforePack.mjs';
import { readFuseWire, writeStandInElectron, type FuseName } from './standInElectron.js';

const root = join(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);
const run = promisify(execFile);

/** The fuses shared/DESIGN.md asks for; electron-builder.yml must produce exactly these. */
const EXPECTED_FUSES: Record<FuseName, boolean> = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};
const EXECUTABLE = 'byoi-node-desktop';
const TRAY_STATES = ['serving', 'waiting', 'paused', 'offline', 'error'];
const NATIVE = /\.(node|so(\.\d+)*|dylib|dll)$/;

const toPosix = (path: string): string => path.split(sep).join('/');
const filesUnder = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => toPosix(relative(folder, join(entry.parentPath, entry.name))));

/** Package names imported by the built main-process bundles (not builtins, not electron). */
function bareImports(folder: string): Set<string> {
  const names = new Set<string>();
  const importPattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g;
  for (const file of filesUnder(folder).filter((name) => name.endsWith('.js'))) {
    for (const [, specifier] of readFileSync(join(folder, file), 'utf8').matchAll(importPattern)) {
      const name = specifier!.startsWith('@')
        ? specifier!.split('/').slice(0, 2).join('/')
        : specifier!.split('/')[0]!;
      if (name.startsWith('node:') || builtinModules.includes(name) || name === 'electron')
        continue;
      names.add(name);
    }
  }
  return names;
}

const onLinux = process.platform === 'linux';

describe.skipIf(!onLinux)('electron-builder --dir --linux with a stand-in Electron', () => {
  const arch = process.arch;
  let work = '';
  let appDir = '';
  let archive = '';
  let entries: string[] = [];
  const inArchive = (path: string): boolean => entries.includes(`/${path}`);
  const unpackedPath = (path: string): string => `${archive}.unpacked/${path}`;

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/electron.js')))
      throw new Error("out/ is missing: run 'npm run build' first (npm test does)");
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    work = mkdtempSync(join(tmpdir(), 'byoi-packaging-'));
    const standIn = writeStandInElectron(join(work, 'stand-in-electron'), electronVersion);
    const output = join(work, 'dist');
    const cli = require.resolve('electron-builder/cli.js');
    const args = [
      cli,
      '--dir',
      '--linux',
      `--${arch}`,
      '--publish',
      'never',
      `-c.electronDist=${standIn}`,
      `-c.directories.output=${output}`,
    ];
    try {
      await run(process.execPath, args, {
        cwd: root,
        env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false', CI: 'true' },
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`electron-builder failed:\n${`${stdout}\n${stderr}`.slice(-6000)}`);
    }
    appDir = join(output, 'linux-unpacked');
    archive = join(appDir, 'resources', 'app.asar');
    entries = asar.listPackage(archive, { isPack: false });
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('renames the stand-in to the app executable and flips every fuse as configured', () => {
    expect(existsSync(join(appDir, 'electron'))).toBe(false);
    const executable = join(appDir, EXECUTABLE);
    expect(statSync(executable).mode & 0o111).not.toBe(0);
    expect(readFuseWire(executable)).toEqual(EXPECTED_FUSES);
  });

  it('puts the whole electron-vite build and package.json in app.asar', () => {
    const built = ['main', 'preload', 'renderer'].flatMap((folder) =>
      filesUnder(join(root, 'out', folder)).map((file) => `out/${folder}/${file}`),
    );
    const missing = built.filter((file) => !file.endsWith('.map') && !inArchive(file));
    expect(missing).toEqual([]);
    for (const file of [
      'out/main/electron.js',
      'out/main/byoi-node.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'package.json',
    ])
      expect(inArchive(file), file).toBe(true);

    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as {
      main: string;
      productName?: string;
    };
    expect(inArchive(pkg.main), `package.json main ${pkg.main}`).toBe(true);
  });

  it('ships every package the main-process bundles import', () => {
    const imports = bareImports(join(root, 'out/main'));
    expect(imports.size).toBeGreaterThan(0);
    const missing = [...imports].filter((name) => !inArchive(`node_modules/${name}/package.json`));
    expect(missing).toEqual([]);
  });

  it("unpacks node-llama-cpp's binaries for this platform next to app.asar", () => {
    const packages = readdirSync(join(root, 'node_modules/@node-llama-cpp')).filter((name) =>
      name.startsWith(`linux-${arch}`),
    );
    expect(packages).toContain(`linux-${arch}`);
    const binaries = packages.flatMap((name) =>
      filesUnder(join(root, 'node_modules/@node-llama-cpp', name, 'bins')).map(
        (file) => `node_modules/@node-llama-cpp/${name}/bins/${file}`,
      ),
    );
    expect(binaries.some((file) => file.endsWith('llama-addon.node'))).toBe(true);
    const notUnpacked = binaries.filter((file) => {
      const entry = asar.statFile(archive, file) as { unpacked?: boolean };
      return entry.unpacked !== true || !existsSync(unpackedPath(file));
    });
    expect(notUnpacked).toEqual([]);

    const packedNative = entries.filter((path) => {
      if (!NATIVE.test(path)) return false;
      return (asar.statFile(archive, path.slice(1)) as { unpacked?: boolean }).unpacked !== true;
    });
    expect(packedNative, 'native files stored inside app.asar cannot be loaded').toEqual([]);
  });

  it("leaves out other platforms' binaries and node-llama-cpp's source bundle", () => {
    const foreign = entries.filter(
      (path) =>
        /^\/node_modules\/@node-llama-cpp\/[^/]+\/bins\//.test(path) &&
        !path.startsWith(`/node_modules/@node-llama-cpp/linux-${arch}`),
    );
    expect(foreign).toEqual([]);
    expect(inArchive('node_modules/node-llama-cpp/llama/gitRelease.bundle')).toBe(false);
  });

  it('unpacks the tray icons main/electron loads', () => {
    for (const state of TRAY_STATES)
      for (const file of [`resources/tray-${state}.png`, `resources/tray-${state}@2x.png`]) {
        expect(inArchive(file), file).toBe(true);
        expect(existsSync(unpackedPath(file)), `${file} unpacked`).toBe(true);
      }
  });

  it('leaks no sources, tests, maps, configs or dev tools into the app', () => {
    const topLevel = new Set(entries.map((path) => path.split('/')[1]));
    expect([...topLevel].sort()).toEqual(['node_modules', 'out', 'package.json', 'resources']);
    // Anywhere: source maps, TypeScript, models. In our own files: tests and configs.
    const leaked = entries.filter(
      (path) =>
        /\.(map|tsx?|mts|cts|gguf)$/.test(path) ||
        (!path.startsWith('/node_modules/') &&
          /(\.(test|spec)\.[cm]?js|tsconfig[^/]*\.json|\.config\.[cm]?[jt]s|\.ya?ml)$/.test(path)),
    );
    expect(leaked).toEqual([]);
    const devTools = ['electron', 'electron-builder', 'vite', 'vitest', 'typescript', 'eslint'];
    const shipped = devTools.filter((name) => inArchive(`node_modules/${name}/package.json`));
    expect(shipped).toEqual([]);
  });
});

describe('beforePack hook (scripts/beforePack.mjs)', () => {
  const context = (electronPlatformName: string, arch: number) => ({
    electronPlatformName,
    arch,
    packager: { projectDir: root },
  });

  it('lets a target through when its llama.cpp prebuilt is installed', async () => {
    const host = { x64: 1, arm64: 3 }[process.arch as 'x64' | 'arm64'];
    if (host === undefined || !['linux', 'darwin', 'win32'].includes(process.platform)) return;
    expect(llamaBinaryPackages(root, process.platform, process.arch).length).toBeGreaterThan(0);
    await expect(beforePack(context(process.platform, host))).resolves.toBeUndefined();
  });

  it('stops a target whose prebuilt is not installed, naming the package', async () => {
    // No machine installs node-llama-cpp's prebuilts for every OS, so one of these is missing.
    const targets: [string, number, string][] = [
      ['darwin', 1, 'mac-x64'],
      ['win32', 1, 'win-x64'],
      ['linux', 3, 'linux-arm64'],
    ];
    const missing = targets.filter(
      ([platform, , name]) => llamaBinaryPackages(root, platform, name.split('-')[1]!).length === 0,
    );
    expect(missing.length).toBeGreaterThan(0);
    for (const [platform, arch, name] of missing)
      await expect(beforePack(context(platform, arch))).rejects.toThrow(
        new RegExp(`@node-llama-cpp/${name}`),
      );
  });
});
