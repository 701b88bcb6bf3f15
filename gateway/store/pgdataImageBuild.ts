/**
 * Makes the prebuilt database image (see pgdataImage.ts): PGlite's initdb in memory, every
 * migration, then a gzipped tarball of the data folder. Run at build time by
 * `scripts/buildPgdataImage.ts`; the gateway itself only unpacks it.
 */
import { migrate, MIGRATIONS, type Migration } from './migrations.js';
import { openPglite } from './pgliteDb.js';

/**
 * The image of an empty database at the schema of `migrations` (all of them by default; a
 * test builds an older one to check that a newer gateway migrates it).
 */
export async function buildPgdataImage(
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<Uint8Array> {
  const db = await openPglite({ folder: null });
  try {
    await migrate(db, migrations);
    // The template databases serve only CREATE DATABASE, which the gateway never runs.
    // Without them the image holds 400 files instead of 1,000, and file creation is most of
    // the time a fresh folder takes to unpack.
    await db.exec(
      `UPDATE pg_database SET datistemplate = false WHERE datname IN ('template0', 'template1')`,
    );
    await db.exec('DROP DATABASE template0');
    await db.exec('DROP DATABASE template1');
    // The image is dumped from a running database; a checkpoint leaves it nothing to redo.
    await db.exec('CHECKPOINT');
    const tarball = await db.dumpDataDir('gzip');
    return new Uint8Array(await tarball.arrayBuffer());
  } finally {
    await db.close();
  }
}
