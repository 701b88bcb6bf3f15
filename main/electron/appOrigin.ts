/**
 * Where the dashboard is loaded from, and whether a URL is that place: the bundled
 * `out/renderer/index.html` (file://), or electron-vite's dev server in `npm run dev`.
 * The IPC gate and the navigation guards both ask this one question.
 */
import { pathToFileURL } from 'node:url';

export type AppOrigin = { kind: 'file'; indexPath: string } | { kind: 'dev'; url: string };

/** The dev server when electron-vite set `ELECTRON_RENDERER_URL`, else the bundled file. */
export function appOrigin(indexPath: string, devUrl: string | undefined): AppOrigin {
  return devUrl ? { kind: 'dev', url: devUrl } : { kind: 'file', indexPath };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True when `url` is our dashboard: the same file (any hash or query), or the dev server's
 * origin. Everything else, `about:blank` and other files included, is foreign.
 */
export function isAppUrl(origin: AppOrigin, url: string): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (origin.kind === 'dev') {
    const dev = parse(origin.url);
    return dev !== null && parsed.origin === dev.origin;
  }
  if (parsed.protocol !== 'file:' || (parsed.host !== '' && parsed.host !== 'localhost')) {
    return false;
  }
  const expected = pathToFileURL(origin.indexPath);
  const same = (a: string, b: string) =>
    process.platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
  return same(decodeURIComponent(parsed.pathname), decodeURIComponent(expected.pathname));
}
