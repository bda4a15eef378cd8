/**
 * The SQLite card log as seen from the main thread: a CardStore whose every call is a message to the store's
 * own worker thread (./sqlite-worker.ts), so a slow disk or a lock held by another process never blocks the
 * event loop. Calls are answered in order; a crashed thread is restarted on the next call.
 */
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../ops/worker-script';
import type { SqliteStoreOptions } from './sqlite';
import type { CardStore, Report, StoreHealth } from './types';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export function createSqliteThreadStore(options: SqliteStoreOptions): CardStore {
  const script = workerScript(resolve(__dirname), 'sqlite-worker');
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (message: string) => {
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
  };
  const start = (): Worker => {
    const w = new Worker(script.filename, { workerData: { ...script.workerData, options } });
    w.unref();
    w.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: { message: string; code?: string } }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new Error(m.error?.message ?? 'store error'), m.error?.code ? { code: m.error.code } : {}));
      if (pending.size === 0) w.unref();
    });
    w.on('error', (e) => failAll(`sqlite store thread failed: ${e.message}`));
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll('sqlite store thread exited');
    });
    return w;
  };
  const call = <T>(method: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((res, rej) => {
      worker ??= start();
      worker.ref(); // keep the process alive while a call is outstanding (e.g. a flush at shutdown)
      const id = nextId++;
      pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
      worker.postMessage({ id, method, args });
    });

  return {
    kind: 'sqlite',
    migrate: () => call<number[]>('migrate'),
    recordCards: (records) => call<number>('recordCards', records),
    recordFeedback: (items) => call('recordFeedback', items),
    purgeOlderThan: (cutoff) => call<number>('purgeOlderThan', cutoff),
    health: () => call<StoreHealth>('health'),
    report: (query) => call<Report>('report', query),
    async close() {
      const w = worker;
      if (!w) return;
      await call('close').catch(() => undefined);
      worker = undefined;
      await w.terminate();
    },
  };
}
