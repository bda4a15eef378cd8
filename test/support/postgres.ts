/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, start on a free loopback port with the
 * unix socket in the same temp dir, create a database, and stop + delete everything afterwards.
 *
 * If `TEST_DATABASE_URL` is set, that server is used instead (a fresh database is created on it and dropped
 * afterwards). Binaries: `PG_BIN` if set, else the newest /usr/lib/postgresql/<n>/bin, else PATH. When run as
 * root (initdb refuses root) the server runs as the `postgres` user via runuser.
 *
 * Anything that goes wrong throws with a clear message: a Postgres test run never skips silently.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface TestPostgres {
  url: string;
  /** Stops the server and deletes its files (or drops the database on an external server). */
  stop(): Promise<void>;
}

function pgBinDir(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function withAdmin<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function external(baseUrl: string): Promise<TestPostgres> {
  const db = `hlh_test_${process.pid}_${Date.now()}`;
  try {
    await withAdmin(baseUrl, (c) => c.query(`CREATE DATABASE ${db}`));
  } catch (err) {
    throw new Error(`TEST_DATABASE_URL is set but creating a test database failed: ${(err as Error).message}`);
  }
  const u = new URL(baseUrl);
  u.pathname = `/${db}`;
  return {
    url: u.toString(),
    stop: async () => {
      await withAdmin(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`));
    },
  };
}

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.TEST_DATABASE_URL) return external(process.env.TEST_DATABASE_URL);

  const bin = pgBinDir();
  const tool = (name: string): string => (bin ? join(bin, name) : name);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hlh-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const superuser = asRoot ? 'postgres' : userInfo().username;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]): void => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  };
  const fail = (step: string, err: unknown): never => {
    const e = err as { stderr?: Buffer; message?: string };
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `Could not start a test PostgreSQL (${step}): ${e.stderr?.toString().trim() || e.message}\n${serverLog}\n` +
        'Install Debian `postgresql` (initdb/pg_ctl), set PG_BIN to its bin dir, or set TEST_DATABASE_URL.',
    );
  };

  try {
    run(tool('initdb'), ['-D', data, '-U', superuser, '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (err) {
    fail('initdb', err);
  }
  const port = await freePort();
  const opts = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=40',
  ].join(' ');
  try {
    run(tool('pg_ctl'), ['-D', data, '-l', log, '-o', opts, '-w', '-t', '20', 'start']);
  } catch (err) {
    fail('pg_ctl start', err);
  }
  const stopServer = (): void => {
    try {
      run(tool('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const admin = `postgresql://${superuser}@127.0.0.1:${port}/postgres`;
  try {
    await withAdmin(admin, (c) => c.query('CREATE DATABASE hlh_test'));
  } catch (err) {
    stopServer();
    throw new Error(`Test PostgreSQL started but CREATE DATABASE failed: ${(err as Error).message}`);
  }
  return {
    url: `postgresql://${superuser}@127.0.0.1:${port}/hlh_test`,
    stop: async () => stopServer(),
  };
}
