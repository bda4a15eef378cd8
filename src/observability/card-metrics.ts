/** Feeds the metrics from what the service already has: evaluated cards and the card log writer's counters. */
import { EXTENSION_KEY } from '../render/extension';
import type { Evaluation } from '../pipeline/evaluate';
import type { WriterStats } from '../store/writer';
import type { CardLabels, CardLogStats, Metrics } from './metrics';

type CardLike = { indicator: string; extension?: Record<string, unknown> | undefined };

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Indicator, syndrome and exposure class of a card (the last two from its assessment extension). */
export function cardLabels(card: CardLike): CardLabels {
  const assessment = obj(card.extension?.[EXTENSION_KEY]);
  return { indicator: card.indicator, syndrome: text(assessment?.syndrome), exposureClass: text(obj(assessment?.exposure)?.class) };
}

export function countCards(metrics: Metrics, evaluation: Evaluation): void {
  for (const card of evaluation.cards) metrics.countCard(cardLabels(card), false);
  for (const card of evaluation.silenced ?? []) metrics.countCard(cardLabels(card), true);
}

/**
 * Today's writer keeps no failed record for a retry: a record is lost when the queue drops it (full or
 * closed) or its write fails. A durable writer reports its own lost count through the same interface.
 */
export function cardLogStatsFromWriter(stats: WriterStats): CardLogStats {
  return { queueDepth: stats.queued, writeFailures: stats.failed, lostWrites: stats.dropped + stats.failed };
}
