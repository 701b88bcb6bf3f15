/**
 * Opens PGlite as the store's database, tuned for a small, long-running gateway. PGlite is
 * imported only here, on first use, so a gateway whose database runs on its own thread (or
 * on a PostgreSQL server) never loads it on the serving thread.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite } from '@electric-sql/pglite';
import { unpackPgdataImage } from './pgdataImage.js';

/**
 * PostgreSQL settings on top of PGlite's. Its default `shared_buffers` is PostgreSQL's
 * 128 MB, and PGlite touches all of it at start, most of the gateway's resident memory; the
 * gateway's database is small, so 16 MB of buffers holds its working set (the OS caches the
 * files below).
 */
const SERVER_SETTINGS = ['-c', 'shared_buffers=16MB'];

/**
 * How much of a WebAssembly function V8 runs (roughly in bytes of code, per function)
 * before it compiles it again with its optimizing compiler; V8's default is 1.8 M. Opening
 * PostgreSQL runs a great deal of code once, and at the default V8 re-optimizes much of it
 * on background threads meanwhile: on two cores that slows the open by a third and keeps
 * ~55 MB of code and compiler memory resident (as much as `--liftoff-only` saves). At 2 G
 * (near the flag's int32 limit) only code that keeps running under load is optimized.
 */
const WASM_TIERING_BUDGET = 2_000_000_000;

let tuned = false;

/** Sets {@link WASM_TIERING_BUDGET} (process-wide) before PGlite compiles its module. */
function tuneWasmTiering(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
}

/** Where {@link openPglite} keeps the database. */
export interface PgliteLocation {
  /** The database folder (`<dataDir>/pgdata`), or null for a database in memory. */
  folder: string | null;
  /**
   * The prebuilt, migrated empty database (`pgdata.tgz`, see pgdataImage.ts) that a fresh
   * folder is unpacked from; without it, or where the file is missing, PGlite runs initdb.
   */
  image?: URL | string;
}

/** Opens PGlite at `location`, creating the database when the folder has none. */
export async function openPglite({ folder, image }: PgliteLocation): Promise<PGlite> {
  tuneWasmTiering();
  const { PGlite } = await import('@electric-sql/pglite');
  const options = { startParams: [...PGlite.defaultStartParams, ...SERVER_SETTINGS] };
  if (folder === null) return PGlite.create(options);
  if (image !== undefined && !existsSync(join(folder, 'PG_VERSION'))) {
    unpackPgdataImage(image, folder);
  }
  return PGlite.create(folder, options);
}
