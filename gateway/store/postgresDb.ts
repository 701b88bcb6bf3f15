/**
 * A PostgreSQL server as the store's {@link SqlDb}, through a node-postgres pool. Values come
 * back as PGlite gives them, so that every store module reads one shape: timestamptz as a
 * Date, json/jsonb parsed, and int8 as a number (a bigint past 2^53) rather than pg's string.
 *
 * Parameters are not: pg sends a JS array as a PostgreSQL array literal, so a jsonb
 * parameter must be passed as `JSON.stringify(value)` (objects pg stringifies itself).
 */
import pg from 'pg';
import type { Sql, SqlDb } from './sql.js';

/** The OIDs of int8 and int8[]. */
const INT8 = 20;
const INT8_ARRAY = 1016;

function parseInt8(text: string): number | bigint {
  const value = BigInt(text);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** pg's own parser of an OID (typed by its builtins, which leave out the array types). */
const builtinParser = pg.types.getTypeParser as (
  oid: number,
  format?: 'text' | 'binary',
) => (text: string) => unknown;

const parseInt8Array = (text: string): unknown =>
  (builtinParser(INT8_ARRAY)(text) as (string | null)[]).map((item) =>
    item === null ? null : parseInt8(item),
  );

/** pg's parsers, with int8 read as PGlite reads it; per pool, so nothing global changes. */
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary' && oid === INT8) return parseInt8;
    if (format !== 'binary' && oid === INT8_ARRAY) return parseInt8Array;
    return builtinParser(oid, format ?? 'text');
  }) as typeof pg.types.getTypeParser,
};

/** The part of a pool or a client that runs statements. */
interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

function sqlOf(target: Queryable): Sql {
  return {
    query: async <T>(text: string, params?: unknown[]) => {
      const result = await target.query(text, params);
      return { rows: result.rows as T[] };
    },
    exec: (text: string) => target.query(text),
  };
}

class PostgresDb implements SqlDb {
  private readonly sql: Sql;

  constructor(private readonly pool: pg.Pool) {
    this.sql = sqlOf(pool);
  }

  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return this.sql.query<T>(text, params);
  }

  exec(text: string): Promise<unknown> {
    return this.sql.exec(text);
  }

  /** One pooled connection for the whole transaction; it is released either way. */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await work(sqlOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back must not go back to the pool.
          broken =
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Connects to the database at `url` (a `postgres://` URL) and checks that it answers.
 * Errors carry the server's reason, never the URL (its password).
 */
export async function openPostgresDb(url: string, maxConnections = 10): Promise<SqlDb> {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    types: TYPES,
    application_name: 'byoi-gateway',
  });
  // An idle connection the server drops would otherwise crash the process; the next query
  // opens a fresh one, or fails with the reason.
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  return new PostgresDb(pool);
}
