/**
 * PostgreSQL implementation (`pg` Pool) for deployments with several replicas: a bounded pool, a statement
 * timeout and a connection timeout so a slow or unreachable database fails fast instead of piling up work.
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { SqlCardStore, errorMessage, type Row, type SqlDriver, type SqlExecutor } from './sql-store';

export interface PostgresStoreOptions {
  connectionString: string;
  poolMax?: number;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Called for errors on idle pooled connections (which would otherwise crash the process). */
  onPoolError?: (message: string) => void;
}

/** Rewrites `?` placeholders to `$1…$n` (our SQL has no `?` inside literals). */
export function toPgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

function executor(q: Queryable): SqlExecutor {
  return {
    query: async <T extends Row>(sql: string, params: readonly unknown[] = []) =>
      (await q.query(toPgPlaceholders(sql), [...params])).rows as T[],
    run: async (sql: string, params: readonly unknown[] = []) =>
      (await q.query(toPgPlaceholders(sql), [...params])).rowCount ?? 0,
    exec: async (script: string) => {
      await q.query(script);
    },
  };
}

class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly direct: SqlExecutor;
  private ended = false;

  constructor(private readonly pool: Pool) {
    this.direct = executor(pool as unknown as Queryable);
  }

  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.direct.run(sql, params);
  }

  exec(script: string): Promise<void> {
    return this.direct.exec(script);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(executor(client as unknown as Queryable));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
      }
      throw err;
    } finally {
      // A connection that failed to roll back is discarded rather than returned to the pool.
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

export function createPostgresStore(options: PostgresStoreOptions): SqlCardStore {
  const config: PoolConfig = {
    connectionString: options.connectionString,
    max: options.poolMax ?? 5,
    statement_timeout: options.statementTimeoutMs ?? 5000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3000,
    idleTimeoutMillis: 30_000,
    application_name: 'hlh-sentinel',
  };
  const pool = new Pool(config);
  pool.on('error', (err) => options.onPoolError?.(errorMessage(err)));
  return new SqlCardStore(new PostgresDriver(pool));
}
