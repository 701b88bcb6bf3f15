/**
 * The built dashboard (electron-vite's renderer build, `out/renderer/`) over plain HTTP, so
 * a browser can watch a headless node: `GET /` is index.html, `GET /assets/*` its hashed
 * files. They hold no secrets, so they need no token; the page gets the token from the URL
 * fragment (`/#token=…`), which browsers never send to the server.
 */
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import {
  fileSize,
  registerAssets,
  rendererBuildDir,
  sendFile,
} from '../../../common/node/staticFiles.js';

/** Where the renderer build is (see {@link rendererBuildDir}). */
export const defaultDashboardDir = rendererBuildDir;
import type { Logger } from '../../../common/log.js';
import { ApiError } from '../../../common/openaiErrors.js';

function notBuilt(): ApiError {
  return new ApiError(
    404,
    'The dashboard is not built: run npm run build',
    'invalid_request_error',
    'dashboard_not_built',
  );
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

  registerAssets(app, '/assets/', assetsDir);
}
