/**
 * Serving built front-end files (Vite's output) over Fastify: content types, cache headers
 * (hashed names are immutable), and asset paths that cannot leave their folder. The node's
 * dashboard and the gateway's console both serve through it.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from '../openaiErrors.js';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** Vite names built assets `<name>-<8-character hash>.<ext>`: such a file never changes. */
const HASHED_NAME = /-[\w-]{8}\.[a-z0-9]+$/i;
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where the renderer build is, from this module's own location. Bundled, this module is
 * `out/main/<entry>.js`, or `out/main/chunks/<chunk>.js` when electron-vite splits code
 * shared by two entries (the CLI and the app's engine host); either way the build is the
 * `renderer` folder beside `out/main`. Run from source (tsx), it is `<root>/out/renderer`.
 * The node's dashboard is its index.html, the gateway's console its console.html.
 */
export function rendererBuildDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const parts = here.split(sep);
  for (let index = parts.length - 2; index >= 0; index--) {
    if (parts[index] === 'out' && parts[index + 1] === 'main') {
      return join(parts.slice(0, index + 1).join(sep) || sep, 'renderer');
    }
  }
  return resolve(here, '../../out/renderer');
}

/** The file under `assetsDir` that `relative` names, or null for any escape attempt. */
function assetPath(assetsDir: string, relative: string): string | null {
  const segments = relative.split(/[/\\]/);
  const bad = (segment: string) =>
    segment === '' || segment === '.' || segment === '..' || segment.includes('\0');
  if (segments.some(bad)) return null;
  const path = resolve(assetsDir, ...segments);
  return path.startsWith(assetsDir + sep) ? path : null;
}

export async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

export function sendFile(reply: FastifyReply, path: string, size: number, cacheControl: string) {
  return reply
    .type(CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', size)
    .header('cache-control', cacheControl)
    .send(createReadStream(path));
}

/**
 * Adds `GET <route>*`: the files of `assetsDir`, immutable when their names are hashed,
 * with `headers` on each. Files are looked up per request, so a build made after start is served.
 */
export function registerAssets(
  app: FastifyInstance,
  route: string,
  assetsDir: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  app.get<{ Params: { '*': string } }>(`${route}*`, async (request, reply) => {
    const path = assetPath(assetsDir, request.params['*']);
    if (path === null) {
      throw ApiError.invalidRequest('The asset path is not allowed', null, 'bad_path');
    }
    const size = await fileSize(path);
    if (size === null) throw ApiError.unknownUrl(request.method, request.url);
    const name = path.slice(assetsDir.length + 1);
    return sendFile(
      reply.headers(headers),
      path,
      size,
      HASHED_NAME.test(name) ? IMMUTABLE : 'no-cache',
    );
  });
}
