/**
 * The `jti` replay guard shared by every replica (PostgreSQL): one row per (issuer, jti) with its expiry, under
 * a unique key. A token is fresh when its row could be inserted, or the existing row had already expired (the
 * row is then taken over); a live row means another replica (or this one) already accepted it. Rows past
 * their expiry are deleted every `purgeEveryMs`. The table is created by the card log's migration 2.
 */
import { createHash } from 'node:crypto';
import { Pool } from 'pg';

export interface SharedReplayStore {
  /** True when `key` was not seen (or only expired), recording it until `expiresAt`; false on a replay. */
  claim(key: string, expiresAt: Date, now: Date): Promise<boolean>;
  close(): Promise<void>;
}

export interface PostgresReplayOptions {
  connectionString: string;
  statementTimeoutMs?: number;
  connectionTimeoutMs?: number;
  purgeEveryMs?: number;
  onPoolError?: (message: string) => void;
}

const CLAIM = `INSERT INTO replay_guard (key, expires_at) VALUES ($1, $2)
  ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE replay_guard.expires_at <= $3
  RETURNING key`;

export function createPostgresReplayStore(options: PostgresReplayOptions): SharedReplayStore {
  const pool = new Pool({
    connectionString: options.connectionString,
    max: 2,
    statement_timeout: options.statementTimeoutMs ?? 2_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
    application_name: 'hlh-sentinel-replay',
  });
  pool.on('error', (err) => options.onPoolError?.(err.message));
  const purge = setInterval(() => {
    pool.query('DELETE FROM replay_guard WHERE expires_at < $1', [new Date()]).catch(() => undefined);
  }, options.purgeEveryMs ?? 10 * 60_000);
  purge.unref();
  return {
    async claim(key, expiresAt, now) {
      const hashed = createHash('sha256').update(key).digest('hex');
      const r = await pool.query(CLAIM, [hashed, expiresAt, now]);
      return (r.rowCount ?? 0) > 0;
    },
    async close() {
      clearInterval(purge);
      await pool.end();
    },
  };
}
