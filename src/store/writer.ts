/**
 * The card log writer: a bounded in-memory queue between the request path and the store.
 *
 * `enqueueCards` / `enqueueFeedback` return at once (never await the database); a drain loop writes batches
 * in the background. When the queue is full new records are dropped and counted. When the store fails, the
 * batch is retried after each of `retryDelaysMs` (in order, so later records wait behind it); when every try
 * has failed its records are counted as failed and logged — message only, never record contents (they hold
 * patient data) — and nothing is thrown to the caller. Dropped + failed is everything the log lost; records
 * still queued when the process is killed are lost too (bounded by `maxQueue`; see the README). `degraded` is
 * true while the last failure is recent (within `degradedWindowMs`) and no write has succeeded since;
 * `/readyz` reports it.
 */
import type { ServiceStats } from '../ops/stats';
import { errorMessage } from './sql-store';
import type { CardRecord, CardStore, FeedbackRecord } from './types';

export interface WriterLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface CardLogWriterOptions {
  /** Maximum records (cards + feedback items) waiting to be written. */
  maxQueue?: number;
  /** Maximum records per store call. */
  batchSize?: number;
  /** How long a failure keeps the writer `degraded` unless a write succeeds first. */
  degradedWindowMs?: number;
  /** Waits before each retry of a failed batch (default none: one try). */
  retryDelaysMs?: readonly number[];
  stats?: ServiceStats;
  logger?: WriterLogger;
  onError?: (err: unknown) => void;
  now?: () => number;
}

interface WriterStats {
  queued: number;
  written: number;
  /** Records not written because every try of their batch failed. */
  failed: number;
  /** Records refused because the queue was full or closed. */
  dropped: number;
}

export interface WriterStatus {
  degraded: boolean;
  lastError: { at: string; message: string } | null;
  stats: WriterStats;
}

export interface CardLogWriter {
  enqueueCards(records: CardRecord[]): void;
  enqueueFeedback(items: FeedbackRecord[]): void;
  stats(): WriterStats;
  readonly degraded: boolean;
  status(): WriterStatus;
  /** Reports the outcome of a write made around the queue (feedback commits), for `degraded` and `/readyz`. */
  noteDirectWrite(err?: unknown): void;
  /** Resolves when everything queued so far has been attempted. */
  flush(): Promise<void>;
  /** Stops accepting records (later ones are dropped) and flushes, waiting at most `timeoutMs`. */
  close(timeoutMs?: number): Promise<void>;
}

type Item = { kind: 'card'; record: CardRecord } | { kind: 'feedback'; record: FeedbackRecord };

// eslint-disable-next-line max-lines-per-function -- a factory of small closures over one queue's private state
export function createCardLogWriter(store: CardStore, options: CardLogWriterOptions = {}): CardLogWriter {
  const maxQueue = options.maxQueue ?? 10_000;
  const batchSize = options.batchSize ?? 200;
  const degradedWindowMs = options.degradedWindowMs ?? 60_000;
  const retryDelaysMs = options.retryDelaysMs ?? [];
  const stats = options.stats;
  stats?.gauge('cardLogQueue', () => queue.length);
  const now = options.now ?? Date.now;
  const logger = options.logger;

  const queue: Item[] = [];
  const counters = { written: 0, failed: 0, dropped: 0 };
  let lastError: { at: number; message: string } | null = null;
  let recovered = true;
  let draining: Promise<void> | null = null;
  let closed = false;
  let lastDropLogAt = -Infinity;

  const onError = (err: unknown): void => {
    try {
      options.onError?.(err);
    } catch {
      // a faulty callback must not break the writer
    }
  };

  function add(items: Item[]): void {
    const room = closed ? 0 : Math.max(0, maxQueue - queue.length);
    const accepted = items.slice(0, room);
    queue.push(...accepted);
    const dropped = items.length - accepted.length;
    if (dropped > 0) {
      counters.dropped += dropped;
      if (stats) stats.counters.cardLogLost += dropped;
      if (now() - lastDropLogAt > 10_000) {
        lastDropLogAt = now();
        logger?.warn(
          { dropped, totalDropped: counters.dropped, maxQueue, closed },
          'card log queue full or closed: records dropped',
        );
      }
    }
    if (accepted.length > 0) schedule();
  }

  function schedule(): void {
    if (draining) return;
    draining = new Promise<void>((resolve) => setImmediate(resolve)).then(drain).finally(() => {
      draining = null;
      if (queue.length > 0) schedule();
    });
  }

  async function tryBatch(batch: Item[]): Promise<unknown> {
    const kind = batch[0]?.kind;
    try {
      if (kind === 'card') {
        await store.recordCards(batch.map((i) => i.record as CardRecord));
      } else {
        await store.recordFeedback(batch.map((i) => i.record as FeedbackRecord));
      }
      return undefined;
    } catch (err) {
      if (stats) stats.counters.cardLogWriteFailures++;
      return err ?? new Error('store failed');
    }
  }

  async function writeBatch(batch: Item[]): Promise<void> {
    let err = await tryBatch(batch);
    for (let i = 0; err !== undefined && i < retryDelaysMs.length && !closed; i++) {
      await new Promise((r) => setTimeout(r, retryDelaysMs[i]).unref());
      err = await tryBatch(batch);
    }
    if (err === undefined) {
      counters.written += batch.length;
      recovered = true;
      return;
    }
    counters.failed += batch.length;
    if (stats) stats.counters.cardLogLost += batch.length;
    const message = errorMessage(err);
    lastError = { at: now(), message };
    recovered = false;
    logger?.error({ err: message, kind: batch[0]?.kind, records: batch.length }, 'card log write failed');
    onError(err);
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const first = queue[0];
      if (!first) break;
      let n = 1;
      while (n < queue.length && n < batchSize && queue[n]?.kind === first.kind) n++;
      await writeBatch(queue.splice(0, n));
    }
  }

  async function flush(): Promise<void> {
    while (draining) await draining;
  }

  const writer: CardLogWriter = {
    enqueueCards(records) {
      try {
        add(records.map((record) => ({ kind: 'card', record })));
      } catch (err) {
        logger?.error({ err: errorMessage(err) }, 'card log enqueue failed');
      }
    },
    enqueueFeedback(items) {
      try {
        add(items.map((record) => ({ kind: 'feedback', record })));
      } catch (err) {
        logger?.error({ err: errorMessage(err) }, 'feedback enqueue failed');
      }
    },
    stats: () => ({ queued: queue.length, ...counters }),
    noteDirectWrite(err) {
      if (err === undefined) {
        recovered = true;
        return;
      }
      lastError = { at: now(), message: errorMessage(err) };
      recovered = false;
    },
    get degraded() {
      return lastError !== null && !recovered && now() - lastError.at < degradedWindowMs;
    },
    status() {
      return {
        degraded: writer.degraded,
        lastError: lastError ? { at: new Date(lastError.at).toISOString(), message: lastError.message } : null,
        stats: writer.stats(),
      };
    },
    flush,
    async close(timeoutMs = 5000) {
      closed = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([flush(), timeout]);
      if (timer) clearTimeout(timer);
      if (queue.length > 0) {
        logger?.warn({ pending: queue.length }, 'card log writer closed with records still queued');
      }
    },
  };
  return writer;
}
