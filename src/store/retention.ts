/**
 * Retention: deletes cards and feedback older than `days`, once at start and then every `intervalMs`.
 * The timer is unref'd so it never keeps the process alive; failures are logged and retried next round.
 */
import { errorMessage } from './sql-store';
import type { CardStore } from './types';

export interface RetentionOptions {
  days: number;
  intervalMs: number;
  logger?: { info(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
  now?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export async function runRetention(store: CardStore, options: RetentionOptions): Promise<number> {
  const cutoff = new Date((options.now ?? Date.now)() - options.days * DAY_MS);
  return store.purgeOlderThan(cutoff);
}

/** Starts the periodic purge; returns a function that stops it. */
export function startRetentionJob(store: CardStore, options: RetentionOptions): () => void {
  let running = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      const deleted = await runRetention(store, options);
      if (deleted > 0) options.logger?.info({ deleted, retentionDays: options.days }, 'card log retention purge');
    } catch (err) {
      options.logger?.error({ err: errorMessage(err) }, 'card log retention purge failed');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void tick(), 0);
  first.unref();
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}
