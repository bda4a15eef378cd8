/**
 * SQLite implementation (better-sqlite3): the embedded default. A file (WAL mode, synchronous FULL, busy timeout,
 * foreign keys on) or `:memory:` for tests. better-sqlite3 is synchronous; this driver wraps it in promises and
 * serialises operations with a lock so an open transaction never interleaves with another caller's statements.
 * The service runs it in its own thread (./sqlite-thread.ts); the report CLI and tests use it directly.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqlCardStore, type Row, type SqlDriver, type SqlExecutor } from './sql-store';

export interface SqliteStoreOptions {
  /** File path, or `:memory:`. The parent directory is created if missing. */
  path: string;
  busyTimeoutMs?: number;
  /** Caps the file at this many pages (4 KiB each by default); a write past it fails as on a full disk. */
  maxPageCount?: number;
}

function toParam(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/**
 * One lock per database file, shared by every connection this process opens on it: better-sqlite3 waits for a
 * busy database synchronously, so a second connection's BEGIN while the first awaits inside its transaction
 * would block the event loop until the busy timeout and the first could never commit.
 */
interface Lock {
  chain: Promise<unknown>;
}
const fileLocks = new Map<string, Lock>();

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private readonly direct: SqlExecutor;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: Lock,
  ) {
    this.direct = {
      query: async <T extends Row>(sql: string, params: readonly unknown[] = []) =>
        this.prepare(sql).all(...params.map(toParam)) as T[],
      run: async (sql: string, params: readonly unknown[] = []) => this.prepare(sql).run(...params.map(toParam)).changes,
      exec: async (script: string) => {
        this.db.exec(script);
      },
    };
  }

  private prepare(sql: string): Database.Statement {
    if (this.closed) throw new Error('sqlite store is closed');
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.chain.then(fn, fn);
    this.lock.chain = result.catch(() => undefined);
    return result;
  }

  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.locked(() => this.direct.query<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.locked(() => this.direct.run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.locked(() => this.direct.exec(script));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      if (this.closed) throw new Error('sqlite store is closed');
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.direct);
        this.db.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.locked(async () => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.db.close();
    });
  }
}

export function createSqliteStore(options: SqliteStoreOptions): SqlCardStore {
  const memory = options.path === ':memory:';
  if (!memory) mkdirSync(dirname(resolve(options.path)), { recursive: true });
  const db = new Database(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
  try {
    if (!memory) db.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before it is acknowledged (feedback answers 200 only after its commit).
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    if (options.maxPageCount) db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
  } catch (err) {
    db.close(); // e.g. SQLITE_NOTADB: a file that is not a database
    throw err;
  }
  let lock: Lock = { chain: Promise.resolve() };
  if (!memory) {
    const key = resolve(options.path);
    lock = fileLocks.get(key) ?? lock;
    fileLocks.set(key, lock);
  }
  return new SqlCardStore(new SqliteDriver(db, lock));
}
