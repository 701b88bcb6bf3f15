#!/usr/bin/env node
/**
 * `npm start`: the desktop app where it can run; elsewhere one line saying why, then the
 * headless node with its dashboard, whose address (with its token) the node prints and
 * this opens in a browser where there is one.
 *
 *   npm start                          # build, then the app (or the headless node)
 *   npm start -- --skip-build          # use out/ as it is
 *   npm start -- --data-dir DIR …      # headless only: any byoi-node flag
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checkDesktop, missingDisplay } from './desktopCheck.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// Its JS entry, run with this Node: the .bin shim is a .cmd file on Windows.
const electronVite = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const nodeArgs = args.filter((arg) => arg !== '--skip-build');
const say = (/** @type {string} */ line) => process.stdout.write(`BYOI Node: ${line}\n`);

/** Runs `child` to its end, passing Ctrl-C and SIGTERM on; exits with its code. */
function follow(/** @type {import('node:child_process').ChildProcess} */ child) {
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Opens `url` in the default browser where there is a desktop; says nothing otherwise. */
function openBrowser(/** @type {string} */ url) {
  if (missingDisplay(process.platform, process.env) || process.env.CI) return;
  const [command, ...rest] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  const opener = spawn(command, rest, { stdio: 'ignore', detached: true });
  opener.on('error', () => undefined); // no opener installed: the printed address will do
  opener.unref();
}

function build() {
  say('building (electron-vite build)…');
  const result = spawnSync(process.execPath, [electronVite, 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (result.status === 0) return;
  process.stderr.write(`${result.stdout}\n${result.stderr}\n`);
  say('the build failed (output above)');
  process.exit(1);
}

function startHeadless(/** @type {string} */ reason) {
  say(
    `the desktop app cannot start here: ${reason}. Starting the headless node and its dashboard instead.`,
  );
  if (!skipBuild || !existsSync(join(root, 'out', 'main', 'byoi-node.js'))) build();
  const node = spawn(process.execPath, [join(root, 'bin', 'byoi-node.js'), ...nodeArgs], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  createInterface({ input: /** @type {import('node:stream').Readable} */ (node.stdout) }).on(
    'line',
    (line) => {
      process.stdout.write(`${line}\n`);
      const dashboard = /^Dashboard: (\S+)/.exec(line);
      if (dashboard?.[1]) openBrowser(dashboard[1]);
    },
  );
  follow(node);
}

const desktop = checkDesktop({ root, platform: process.platform, env: process.env, say });
if (desktop.ok) {
  follow(
    spawn(process.execPath, [electronVite, 'preview', ...(skipBuild ? ['--skipBuild'] : [])], {
      cwd: root,
      stdio: 'inherit',
    }),
  );
} else {
  startHeadless(desktop.reason);
}
