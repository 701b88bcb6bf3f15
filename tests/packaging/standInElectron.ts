/**
 * A stand-in for Electron's Linux distribution, for `electron-builder --dir
 * -c.electronDist=<folder>` where the real binary cannot be downloaded (shared/DESIGN.md).
 *
 * For `--dir --linux`, electron-builder needs only an executable named `electron`: it copies
 * the folder, renames `electron` to the app's executableName, writes resources/app.asar, and
 * flips the fuses. Flipping fuses looks for Electron's fuse sentinel followed by the fuse
 * wire, so the stand-in carries one, with Electron's default fuse states, in a comment.
 * After packaging, readFuseWire() reads back what electron-builder wrote.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** @electron/fuses' sentinel: the fuse wire follows it (version, length, one byte a fuse). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Fuse wire v1, in wire order (@electron/fuses FuseV1Options). */
export const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
export type FuseName = (typeof FUSE_NAMES)[number];
/** Electron's own defaults: ASCII '1' enabled, '0' disabled. */
const ELECTRON_DEFAULT_WIRE = '10110001';

/** Writes the stand-in into `folder` and returns it. */
export function writeStandInElectron(folder: string, electronVersion: string): string {
  mkdirSync(join(folder, 'locales'), { recursive: true });
  mkdirSync(join(folder, 'resources'), { recursive: true });
  const executable = join(folder, 'electron');
  writeFileSync(
    executable,
    '#!/bin/sh\n' +
      '# STAND-IN, not Electron: made by tests/packaging/standInElectron.ts to check packaging.\n' +
      'echo "This is a stand-in for Electron used by the packaging tests; it cannot run an app." >&2\n' +
      'exit 1\n' +
      `# fuse wire: ${FUSE_SENTINEL}\x01\x08${ELECTRON_DEFAULT_WIRE}\n`,
  );
  chmodSync(executable, 0o755);
  // Not needed by `--dir --linux`, but present in a real distribution; kept so the copy
  // step sees the usual layout (LICENSE is moved to LICENSE.electron.txt).
  writeFileSync(join(folder, 'version'), `${electronVersion}\n`);
  writeFileSync(join(folder, 'LICENSE'), 'Stand-in for the Electron license file.\n');
  writeFileSync(join(folder, 'locales', 'en-US.pak'), '');
  return folder;
}

/** The fuse states in a packaged executable, or an error when it has no fuse wire. */
export function readFuseWire(executable: string): Record<FuseName, boolean> {
  const bytes = readFileSync(executable);
  const at = bytes.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${executable} has no fuse sentinel`);
  const wire = at + FUSE_SENTINEL.length;
  if (bytes[wire] !== 1) throw new Error(`fuse wire version ${bytes[wire]} is not 1`);
  const length = bytes[wire + 1] ?? 0;
  const states = {} as Record<FuseName, boolean>;
  FUSE_NAMES.forEach((name, index) => {
    if (index >= length) throw new Error(`fuse wire has ${length} fuses, ${name} is missing`);
    const state = String.fromCharCode(bytes[wire + 2 + index] ?? 0);
    if (state !== '0' && state !== '1') throw new Error(`fuse ${name} is '${state}'`);
    states[name] = state === '1';
  });
  return states;
}
