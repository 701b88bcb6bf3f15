/**
 * The built dashboard (electron-vite's renderer build, `out/renderer/`) over plain HTTP, so
 * a browser can watch a headless node: `GET /` is index.html, `GET /assets/*` its hashed
 * files. They hold no secrets, so they need no token; the page gets the token from the URL
 * fragment (`/#token=…`), which browsers never send to the server.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../../../common/log.js';
import { ApiError } from '../../../common/openaiErrors.js';

const CONTENT_TYPES: Record<string, string> = {
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
 */
export function defaultDashboardDir(moduleUrl: string = import.meta.url): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const parts = here.split(sep);
  for (let index = parts.length - 2; index >= 0; index--) {
    if (parts[index] === 'out' && parts[index + 1] === 'main') {
      return join(parts.slice(0, index + 1).join(sep) || sep, 'renderer');
    }
  }
  return resolve(here, '../../../out/renderer');
}

function notBuilt(): ApiError {
  return new ApiError(
    404,
    'The dashboard is not built: run npm run build',
    'invalid_request_error',
    'dashboard_not_built',
  );
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

async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

function sendFile(reply: FastifyReply, path: string, size: number, cacheControl: string) {
  return reply
    .type(CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream')
    .header('content-length', size)
    .header('cache-control', cacheControl)
    .send(createReadStream(path));
}

export interface DashboardOptions {
  /** The renderer build folder (the one holding index.html and assets/). */
  dir: string;
  logger: Logger;
}

/** Adds `GET /`, `GET /assets/*` and `GET /favicon.ico` to `app`. Files are looked up per request, so a build made after start is served. */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const dir = resolve(options.dir);
  const assetsDir = join(dir, 'assets');
  let warned = false;

  app.get('/', async (_request, reply) => {
    const index = join(dir, 'index.html');
    const size = await fileSize(index);
    if (size === null) {
      // The folder is logged, not answered: static files need no token, so anyone may ask.
      if (!warned) options.logger.warn('dashboard not built', { dir });
      warned = true;
      throw notBuilt();
    }
    return sendFile(reply, index, size, 'no-cache');
  });

  // Browsers ask for it by themselves; without one, an empty answer rather than a 404 in
  // the console.
  app.get('/favicon.ico', async (_request, reply) => {
    const icon = join(dir, 'favicon.ico');
    const size = await fileSize(icon);
    return size === null ? reply.status(204).send() : sendFile(reply, icon, size, 'no-cache');
  });

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const path = assetPath(assetsDir, request.params['*']);
    if (path === null) {
      throw ApiError.invalidRequest('The asset path is not allowed', null, 'bad_path');
    }
    const size = await fileSize(path);
    if (size === null) throw ApiError.unknownUrl(request.method, request.url);
    const name = path.slice(assetsDir.length + 1);
    return sendFile(reply, path, size, HASHED_NAME.test(name) ? IMMUTABLE : 'no-cache');
  });
}
