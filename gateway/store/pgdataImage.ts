/**
 * The prebuilt database image: an empty, already migrated PGlite data folder, made at build
 * time (`scripts/buildPgdataImage.ts`) as a gzipped tarball of `dumpDataDir()`, and shipped
 * beside the built gateway as `pgdata.tgz`. A fresh data folder is unpacked from it instead
 * of running PostgreSQL's initdb (several seconds, and ~500 MB of WebAssembly memory).
 * Unpacking writes the files with Node, not through PGlite's `loadDataDir`, which copies
 * them through its WebAssembly file system: about 2 s on a fresh folder, against a few
 * hundred milliseconds here (most of it creating the ~400 files).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** The image's file name, beside the built `store-worker.js` (out/main/). */
export const PGDATA_IMAGE_FILE = 'pgdata.tgz';

const BLOCK = 512;

/** A NUL-terminated field of a tar header. */
function field(header: Buffer, start: number, length: number): string {
  const text = header.toString('latin1', start, start + length);
  const end = text.indexOf('\0');
  return end === -1 ? text : text.slice(0, end);
}

/** Writes the ustar archive `tar` under `root` (regular files and folders only). */
function untar(tar: Buffer, root: string): void {
  for (let offset = 0; offset + BLOCK <= tar.length;) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header[0] === 0) return; // the end-of-archive blocks
    const prefix = field(header, 345, 155);
    const name = normalize(prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = field(header, 156, 1);
    if (!Number.isSafeInteger(size) || size < 0 || name.split(sep).includes('..')) {
      throw new Error(`The database image has a bad entry: ${JSON.stringify(name)}`);
    }
    const path = join(root, name);
    offset += BLOCK;
    if (type === '5') mkdirSync(path, { recursive: true, mode: 0o700 });
    else if (type === '0' || type === '') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, tar.subarray(offset, offset + size), { mode: 0o600 });
    }
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
}

/**
 * Unpacks the image at `image` into `folder`, which must not exist yet (or be empty), and
 * says whether it did: false when there is no image (a development run before
 * `npm run build`), and the caller lets PGlite run initdb. The files are written to a
 * sibling folder and renamed into place, so a crash leaves no half-written database.
 */
export function unpackPgdataImage(image: URL | string, folder: string): boolean {
  const path = image instanceof URL ? fileURLToPath(image) : image;
  if (!existsSync(path)) return false;
  if (existsSync(folder)) {
    if (readdirSync(folder).length > 0) return false;
    rmSync(folder, { recursive: true });
  }
  const partial = `${folder}.unpacking`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { mode: 0o700 });
  try {
    untar(gunzipSync(readFileSync(path)), partial);
    renameSync(partial, folder);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  }
  return true;
}
