/**
 * Feeds the metrics from what the service already has: the cards of each evaluation, and the in-process stats
 * (src/ops/stats.ts) that admission control, the evaluation pool and the card log keep.
 */
import { EXTENSION_KEY } from '../render/extension';
import type { ServiceStats } from '../ops/stats';
import type { Card } from '../hooks/response';
import { mainThreadPool, type CardLabels, type MetricSources, type Metrics } from './metrics';

type CardLike = { indicator: string; extension?: Record<string, unknown> | undefined };

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Indicator, syndrome and exposure class of a card (the last two from its assessment extension). */
export function cardLabels(card: CardLike): CardLabels {
  const assessment = obj(card.extension?.[EXTENSION_KEY]);
  return { indicator: card.indicator, syndrome: text(assessment?.syndrome), exposureClass: text(obj(assessment?.exposure)?.class) };
}

export function countCards(metrics: Metrics, evaluated: { cards: readonly Card[]; silenced?: readonly Card[] }): void {
  for (const card of evaluated.cards) metrics.countCard(cardLabels(card), false);
  for (const card of evaluated.silenced ?? []) metrics.countCard(cardLabels(card), true);
}

/**
 * Admission, the evaluation pool and the card log read from the stats. The pool's utilisation is kept by piscina
 * since its start; the metric is the share busy since the previous scrape, so it is differenced here. Without
 * worker threads the evaluations run on the main thread: its event-loop utilisation.
 */
export function statsSources(stats: ServiceStats, now: () => number = () => performance.now()): Required<MetricSources> {
  const mainThread = mainThreadPool();
  const started = now();
  let last = { at: started, busy: 0 };
  return {
    admission: () => {
      const { counters, gauges } = stats.snapshot();
      return { inFlight: gauges.hooksInFlight, refused: counters.overloadRefusedSlots + counters.overloadRefusedBytes + counters.overloadRefusedDeadline };
    },
    evaluationPool: () => {
      const { gauges } = stats.snapshot();
      if (gauges.workerThreads === 0) return mainThread();
      const at = now();
      const busy = gauges.workerUtilization * (at - started);
      const utilization = at > last.at ? Math.min(1, Math.max(0, (busy - last.busy) / (at - last.at))) : 0;
      last = { at, busy };
      return { threads: gauges.workerThreads, utilization, queueDepth: gauges.workerQueue };
    },
    cardLog: () => {
      const { counters, gauges } = stats.snapshot();
      return { queueDepth: gauges.cardLogQueue, writeFailures: counters.cardLogWriteFailures, lostWrites: counters.cardLogLost };
    },
  };
}
