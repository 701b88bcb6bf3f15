/**
 * Where the store lives: a data folder (PGlite), memory (null), or a PostgreSQL server
 * named by a `postgres://` / `postgresql://` URL. A URL's password is never logged nor put in
 * an error message: {@link maskDatabaseUrl} hides it.
 */

const POSTGRES_SCHEME = /^postgres(?:ql)?:\/\//i;

/** True for a `postgres://` or `postgresql://` URL (which may still be malformed). */
export function isPostgresUrl(location: string | null | undefined): location is string {
  return typeof location === 'string' && POSTGRES_SCHEME.test(location);
}

/** The URL with its password (in the user part or a `password=` parameter) as `***`. */
export function maskDatabaseUrl(url: string): string {
  const scheme = POSTGRES_SCHEME.exec(url)?.[0] ?? '';
  const rest = url.slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  let masked = rest;
  if (at !== -1) {
    const user = authority.slice(0, at);
    const colon = user.indexOf(':');
    if (colon !== -1) masked = `${user.slice(0, colon)}:***${rest.slice(at)}`;
  }
  return scheme + masked.replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Throws a RangeError (with the password masked) unless `url` is a PostgreSQL URL that
 * node-postgres can read; returns it unchanged.
 */
export function checkPostgresUrl(url: string): string {
  const why = (reason: string) =>
    new RangeError(`The database URL ${maskDatabaseUrl(url)} ${reason}`);
  if (!isPostgresUrl(url)) {
    throw why('is not a PostgreSQL URL: it must start with postgres:// or postgresql://');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw why('is malformed; percent-encode special characters in the user and password');
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) throw why('has a bad port');
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database.includes('/')) throw why('names more than one database');
  return url;
}
