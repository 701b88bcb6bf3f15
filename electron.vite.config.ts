import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;
const fromRoot = (file: string): string => resolve(root, file);
const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };

/** Node entries bundled into out/main/<name>.js (ESM; dependencies stay external). */
const mainEntries: Record<string, string> = {
  electron: fromRoot('main/electron/main.ts'),
  'byoi-node': fromRoot('main/engine/cli.ts'),
  /** The engine inside the app, forked by the shell as a utilityProcess. */
  'engine-host': fromRoot('main/engine/appEngine.ts'),
  'byoi-gateway': fromRoot('gateway/cli.ts'),
  /** The gateway's database thread, beside byoi-gateway.js (see gateway/store/workerStore.ts). */
  'store-worker': fromRoot('gateway/store/storeWorker.ts'),
};

/**
 * The React refresh preamble is an inline script, which the strict CSP blocks.
 * Relax script-src only for the dev server; built files keep the strict policy.
 */
function devCspPlugin(): Plugin {
  return {
    name: 'byoi:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: mainEntries,
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    // Sandboxed preloads must be one CommonJS file that requires nothing but electron.
    define: { __BYOI_VERSION__: JSON.stringify(pkg.version) },
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: fromRoot('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: fromRoot('renderer'),
    plugins: [react(), devCspPlugin()],
    build: {
      outDir: fromRoot('out/renderer'),
      minify: true,
      rolldownOptions: {
        input: {
          index: fromRoot('renderer/index.html'),
          /** The gateway's web console, served at /console/. */
          console: fromRoot('renderer/console.html'),
        },
      },
    },
  },
});
