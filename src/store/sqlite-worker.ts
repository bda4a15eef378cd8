/**
 * The SQLite card log's own thread: better-sqlite3 is synchronous (and waits for a locked database by
 * busy-looping up to its timeout), so every statement runs here, never on the event loop that answers hooks.
 * Messages `{ id, method, args }` call the CardStore method of that name; replies are `{ id, ok, value }` or
 * `{ id, ok: false, error }` (message and code only: never statement parameters, which hold patient data).
 *
 * The database is opened on first use and again after a failed open, so an unreadable or garbage file makes
 * calls fail (and `/readyz` say why) instead of stopping the service, and recovers once it is fixed. Before
 * each write the file is checked to be the one that was opened: a deleted or replaced file (or directory)
 * would otherwise swallow writes into an unlinked inode.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SqlCardStore } from './sql-store';
import { createSqliteStore, type SqliteStoreOptions } from './sqlite';

const options = (workerData as { options: SqliteStoreOptions }).options;
const file = resolve(options.path);
let store: SqlCardStore | undefined;
let inode: number | undefined;

function fileGone(): string | undefined {
  try {
    return statSync(file).ino === inode ? undefined : 'the database file was replaced since it was opened';
  } catch {
    return 'the database file (or its directory) was removed since it was opened';
  }
}

function open(): SqlCardStore {
  if (store) {
    const gone = fileGone();
    if (!gone) return store;
    throw Object.assign(new Error(`${gone}; restart the service to reopen or recreate it`), { code: 'SQLITE_CANTOPEN' });
  }
  store = createSqliteStore(options);
  inode = statSync(file).ino;
  return store;
}

const WRITES = new Set(['migrate', 'recordCards', 'recordFeedback', 'purgeOlderThan']);

async function call(method: string, args: unknown[]): Promise<unknown> {
  if (method === 'close') {
    await store?.close();
    store = undefined;
    return undefined;
  }
  if (method === 'health') {
    try {
      return await open().health();
    } catch (e) {
      return { ok: false, detail: `sqlite: ${(e as Error).message}` };
    }
  }
  const s = open();
  if (!WRITES.has(method) && method !== 'report') throw new Error(`unknown store method ${method}`);
  return (s as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args);
}

parentPort!.on('message', (m: { id: number; method: string; args: unknown[] }) => {
  call(m.method, m.args).then(
    (value) => parentPort!.postMessage({ id: m.id, ok: true, value }),
    (e: unknown) => {
      const err = e as { message?: unknown; code?: unknown };
      parentPort!.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined } });
    },
  );
});
