import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../src/store/sqlite';
import { describeStoreContract } from './contract';

describeStoreContract('sqlite :memory:', async () => ({
  store: createSqliteStore({ path: ':memory:' }),
  cleanup: async () => undefined,
}));

describeStoreContract('sqlite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hlh-sqlite-'));
  const path = join(dir, 'nested', 'cards.db');
  return {
    store: createSqliteStore({ path }),
    openAnother: () => createSqliteStore({ path }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('sqlite file store', () => {
  test('creates the directory and uses WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hlh-sqlite-'));
    try {
      const path = join(dir, 'a', 'b', 'cards.db');
      const store = createSqliteStore({ path });
      await store.migrate();
      await store.close();
      expect(statSync(path).isFile()).toBe(true);
      const db = new Database(path, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'card log and feedback' },
        { version: 2, name: 'shared jti replay guard' },
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
