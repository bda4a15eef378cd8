/**
 * One in-process stats object for overload, worker pool, card log and FHIR bounds: plain counters the
 * shell increments, and gauges that read live state when asked. A metrics exporter reads `snapshot()`;
 * nothing here formats or exports. Field meanings are listed on `COUNTER_HELP` and `GAUGE_HELP` so an
 * exporter can use them as help texts.
 */

const COUNTER_HELP = {
  overloadRefusedSlots: 'hook calls refused with 503 because every evaluation slot was taken',
  overloadRefusedBytes: 'hook calls refused with 503 because the request body bytes in flight were at their cap',
  overloadRefusedDeadline: 'hook calls answered 503 because they could not be evaluated within the hook deadline',
  authFailures: 'calls to /cds-services refused with 401 (any reason)',
  cardLogWriteFailures: 'card log batch writes that failed (each attempt; a batch may be retried)',
  cardLogLost: 'card records never written: dropped because the queue was full or closed, or failed after every retry',
  feedbackCommitFailures: 'feedback requests answered 503 because the store could not commit them',
  fhirBytesRefusals: 'hook calls whose FHIR fetch stopped at the per-hook byte budget',
  fhirDeadlineRefusals: 'hook calls whose FHIR fetch or evaluation ran past its deadline',
  replayStoreFailures: 'token checks where the shared replay store could not be reached (the per-process cache still applied)',
} as const;

const GAUGE_HELP = {
  hooksInFlight: 'hook calls admitted and not yet answered',
  bodyBytesInFlight: 'request body bytes reserved by admitted hook calls',
  workerThreads: 'evaluation worker threads (0 = evaluation on the main thread)',
  workerUtilization: 'share of time the evaluation workers were busy since start, 0-1',
  workerQueue: 'hook evaluations waiting for a free worker',
  cardLogQueue: 'card log and feedback records waiting to be written',
} as const;

type CounterName = keyof typeof COUNTER_HELP;
type GaugeName = keyof typeof GAUGE_HELP;

export interface ServiceStats {
  readonly counters: Record<CounterName, number>;
  /** Registers (or replaces) the function a gauge reads. */
  gauge(name: GaugeName, read: () => number): void;
  /** Every counter and gauge now (a gauge with no reader, or whose reader throws, is 0). */
  snapshot(): { counters: Record<CounterName, number>; gauges: Record<GaugeName, number> };
}

export function createStats(): ServiceStats {
  const counters = Object.fromEntries(Object.keys(COUNTER_HELP).map((k) => [k, 0])) as Record<CounterName, number>;
  const readers = new Map<GaugeName, () => number>();
  const read = (name: GaugeName): number => {
    try {
      const v = readers.get(name)?.() ?? 0;
      return Number.isFinite(v) ? v : 0;
    } catch {
      return 0;
    }
  };
  return {
    counters,
    gauge: (name, reader) => void readers.set(name, reader),
    snapshot: () => ({
      counters: { ...counters },
      gauges: Object.fromEntries(Object.keys(GAUGE_HELP).map((k) => [k, read(k as GaugeName)])) as Record<GaugeName, number>,
    }),
  };
}
