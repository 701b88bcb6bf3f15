/**
 * Can the desktop app start here? `npm start` asks this before electron-vite runs, because
 * Electron 45 fetches its binary on first use (its `install-electron` bin), not at install,
 * and electron-vite only reads the path file that fetch writes. Each answer is one sentence.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {{ ok: true, binary: string } | { ok: false, reason: string }} DesktopCheck
 * @typedef {Record<string, string | undefined>} Env
 */

/** Why no window can open on this Linux/BSD machine (no X11 or Wayland display), or null. */
export function missingDisplay(/** @type {string} */ platform, /** @type {Env} */ env) {
  if (platform === 'win32' || platform === 'darwin') return null;
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return null;
  return 'there is no display to open its window on (DISPLAY and WAYLAND_DISPLAY are unset)';
}

/** The Electron executable that electron-vite will run, or null before it is fetched. */
export function electronBinary(/** @type {string} */ electronDir, /** @type {Env} */ env) {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const base = env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  const binary = join(base, relative);
  return existsSync(binary) ? binary : null;
}

/** The last "Error: …" line of a failed child's output: the cause, without the stack. */
export function causeOf(/** @type {string} */ output) {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const error = lines.filter((line) => /^(\w*Error|Error)\b/.test(line)).at(-1);
  return (error ?? lines.at(-1) ?? 'no output').replace(/^\w*Error:\s*/, '').slice(0, 200);
}

/**
 * Runs Electron's own fetch (`install-electron`: @electron/get, the checksums in the
 * package, the usual mirror and cache variables). Null when it worked, else why not.
 */
export function fetchElectron(
  /** @type {string} */ electronDir,
  /** @type {Env} */ env,
  /** @type {(line: string) => void} */ say,
) {
  say("Fetching Electron's binary (about 100 MB, once)…");
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    env,
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  if (result.status === 0) return null;
  const cause = result.error ? result.error.message : causeOf(`${result.stdout}\n${result.stderr}`);
  return `Electron's binary could not be downloaded (${cause}); once online, run 'npx install-electron'`;
}

/** Null when the binary starts (`--version`), else why not (a missing system library…). */
export function electronRuns(/** @type {string} */ binary, /** @type {Env} */ env) {
  const result = spawnSync(binary, ['--version'], { env, encoding: 'utf8', timeout: 60_000 });
  if (result.status === 0) return null;
  const cause = result.error ? result.error.message : causeOf(result.stderr || result.stdout);
  return `Electron cannot run on this machine (${cause})`;
}

/**
 * Whether the desktop app can start: a display, then Electron's binary (fetched when
 * missing), then that binary starting.
 * @param {{ root: string, platform: string, env: Env, say: (line: string) => void }} options
 * @returns {DesktopCheck}
 */
export function checkDesktop({ root, platform, env, say }) {
  const noDisplay = missingDisplay(platform, env);
  if (noDisplay) return { ok: false, reason: noDisplay };
  const electronDir = join(root, 'node_modules', 'electron');
  if (!existsSync(join(electronDir, 'install.js'))) {
    return { ok: false, reason: "the electron package is not installed (run 'npm install')" };
  }
  if (!electronBinary(electronDir, env)) {
    const failed = fetchElectron(electronDir, env, say);
    if (failed) return { ok: false, reason: failed };
  }
  const binary = electronBinary(electronDir, env);
  if (!binary) return { ok: false, reason: "Electron's fetch finished but left no binary" };
  const broken = electronRuns(binary, env);
  return broken ? { ok: false, reason: broken } : { ok: true, binary };
}
