/**
 * A throwaway PostgreSQL server for tests: Debian's `initdb` and `pg_ctl` on a temporary
 * folder and a free port, listening on 127.0.0.1 only, with fsync off. initdb refuses to run
 * as root, so as root the server runs as the `postgres` user (or `nobody`). Readiness is
 * `pg_ctl -w`'s own wait, never a sleep.
 */
import { execFile } from 'node:child_process';
import { accessSync, chownSync, constants, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A running server; `stop` removes its folder too. */
export interface PostgresServer {
  /** The `postgres` database as the superuser, e.g. postgres://postgres@127.0.0.1:5432/postgres. */
  url: string;
  /** Creates an empty database (`t_<n>`) and returns its URL: one per test keeps tests apart. */
  newDatabase(): Promise<string>;
  stop(): Promise<void>;
}

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The folder with both `initdb` and `pg_ctl`: on PATH, or the newest /usr/lib/postgresql/N/bin. */
function findBinFolder(): string | null {
  const versioned = (() => {
    try {
      return readdirSync('/usr/lib/postgresql')
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
        .map((name) => join('/usr/lib/postgresql', name, 'bin'));
    } catch {
      return [];
    }
  })();
  const folders = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...versioned];
  return (
    folders.find(
      (folder) => isExecutable(join(folder, 'initdb')) && isExecutable(join(folder, 'pg_ctl')),
    ) ?? null
  );
}

/** The unprivileged user to run the server as, when this process is root. */
function serverUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const entries = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const entry = entries.find((line) => line.startsWith(`${name}:`));
    if (!entry) continue;
    const [, , uid, gid] = entry.split(':');
    return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('Running as root, and neither a postgres nor a nobody user exists to run initdb');
}

/**
 * Whether a test server can start here, and if not, why (a test that skips says so).
 */
export function postgresAvailable(): { available: true } | { available: false; reason: string } {
  if (!findBinFolder()) {
    return {
      available: false,
      reason:
        "PostgreSQL's initdb and pg_ctl are not on PATH nor in /usr/lib/postgresql/*/bin " +
        "(install Debian's postgresql package)",
    };
  }
  if (
    process.getuid?.() === 0 &&
    !isExecutable('/usr/sbin/runuser') &&
    !isExecutable('/sbin/runuser')
  ) {
    return { available: false, reason: 'running as root without runuser to drop privileges' };
  }
  return { available: true };
}

/** A port that was free a moment ago (bound to port 0, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts a server on a fresh folder; throws with the server's log when it cannot. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findBinFolder();
  if (!bin) throw new Error((postgresAvailable() as { reason: string }).reason);
  const user = serverUser();
  // As root, under /tmp: the server's user must reach the folder, and TMPDIR may be private.
  const folder = await mkdtemp(join(user ? '/tmp' : tmpdir(), 'byoi-pg-'));
  if (user) chownSync(folder, user.uid, user.gid);
  const data = join(folder, 'data');
  const log = join(folder, 'server.log');
  const as = (command: string, args: string[]) =>
    user
      ? run('runuser', ['-u', user.name, '--', join(bin, command), ...args], { cwd: folder })
      : run(join(bin, command), args, { cwd: folder });

  const port = await freePort();
  const options = [
    '-c listen_addresses=127.0.0.1',
    `-p ${port}`,
    `-c unix_socket_directories=${folder}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
  ].join(' ');
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await as('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
  } catch (error) {
    const serverLog = await readLog(log);
    await rm(folder, { recursive: true, force: true });
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${serverLog}`, {
      cause: error,
    });
  }

  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let databases = 0;
  let stopping: Promise<void> | undefined;
  return {
    url,
    async newDatabase() {
      const name = `t_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop: () =>
      (stopping ??= (async () => {
        try {
          await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } finally {
          await rm(folder, { recursive: true, force: true });
        }
      })()),
  };
}

async function readLog(path: string): Promise<string> {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '(no server log)';
  }
}
