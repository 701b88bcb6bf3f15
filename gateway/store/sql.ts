/**
 * The one SQL surface every store module is written against: embedded PGlite (the default)
 * and a PostgreSQL server through node-postgres both offer it, with one dialect.
 */

/** Runs statements: a database, or one transaction of it. */
export interface Sql {
  /** One statement with `$1…` parameters. */
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<unknown>;
}

/** A database: statements, transactions, and closing. */
export interface SqlDb extends Sql {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
