/**
 * A build step of `npm run build`, after electron-vite: writes the gateway's prebuilt empty
 * database (gateway/store/pgdataImage.ts) to out/main/pgdata.tgz, beside store-worker.js.
 * Making it runs initdb (seconds), so the image is kept in .cache/pgdata-image/ under a
 * hash of the migrations and the PGlite version, and rebuilt only when either changes.
 */
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { MIGRATIONS } from '../gateway/store/migrations.js';
import { PGDATA_IMAGE_FILE } from '../gateway/store/pgdataImage.js';
import { buildPgdataImage } from '../gateway/store/pgdataImageBuild.js';

const root = resolve(import.meta.dirname, '..');
const fromRoot = (...parts: string[]): string => join(root, ...parts);

const pglite = JSON.parse(
  readFileSync(fromRoot('node_modules/@electric-sql/pglite/package.json'), 'utf8'),
) as { version: string };
const key = createHash('sha256')
  .update(pglite.version)
  .update(JSON.stringify(MIGRATIONS))
  .update(readFileSync(fromRoot('gateway/store/pgdataImageBuild.ts')))
  .digest('hex')
  .slice(0, 16);

const cacheDir = fromRoot('.cache/pgdata-image');
const cached = join(cacheDir, `${key}.tgz`);
if (!existsSync(cached)) {
  // Images of older migrations or PGlite versions are never used again.
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${cached}.partial`, await buildPgdataImage());
  renameSync(`${cached}.partial`, cached);
}
mkdirSync(fromRoot('out/main'), { recursive: true });
copyFileSync(cached, fromRoot('out/main', PGDATA_IMAGE_FILE));
console.log(`database image: out/main/${PGDATA_IMAGE_FILE} (schema ${MIGRATIONS.length}, ${key})`);
