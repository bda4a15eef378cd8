/**
 * Prometheus metrics (prom-client), one registry per app. Request-path code reports events (a response, a
 * card, a FHIR fetch); state owned by other components (card log writer, admission control, the evaluation
 * pool) is read at scrape time through `sources`, so those components need not know about metrics.
 * The metric names and labels are documented in the README ("Operations").
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The card log's counters, read from the in-process stats (src/ops/stats.ts; see `statsSources`). */
interface CardLogStats {
  /** Records waiting to be written. */
  queueDepth: number;
  /** Records whose write to the store failed, since start. */
  writeFailures: number;
  /** Records that will never be stored (dropped by a full or closed queue, or failed without retry), since start. */
  lostWrites: number;
}

/** Admission control (src/http/admission.ts). */
interface AdmissionStats {
  inFlight: number;
  refused: number;
}

/** Where hook evaluations run: a worker pool when there is one; without one, the main thread. */
export interface EvaluationPoolStats {
  threads: number;
  /** Share of the pool's capacity busy since the previous scrape, 0..1. */
  utilization: number;
  /** Evaluations waiting for a thread. */
  queueDepth: number;
}

export interface MetricSources {
  cardLog?: () => CardLogStats;
  admission?: () => AdmissionStats;
  evaluationPool?: () => EvaluationPoolStats;
}

interface BuildInfo {
  version: string;
  knowledgeVersion: string;
  contentVersion?: string | undefined;
  authMode: string;
  silentMode: string;
}

export interface CardLabels {
  indicator: string;
  syndrome: string | null;
  exposureClass: string | null;
}

interface HttpEvent {
  /** Route template (src/http/routes.ts) or `other`. */
  route: string;
  method: string;
  /** HTTP status, or `aborted` when the client closed the connection before the response was sent. */
  status: number | 'aborted';
  seconds: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** Read at every scrape; set by the component that owns the state. */
  readonly sources: MetricSources;
  observeHttp(event: HttpEvent): void;
  countCard(card: CardLabels, silenced: boolean): void;
  observeFhirFetch(event: { key: string; seconds: number; failure?: string | undefined }): void;
  setBuildInfo(info: BuildInfo): void;
  /** The exposition text and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** The hook call's route template, whose latency is recorded by outcome. */
const HOOK_ROUTE = '/cds-services/{id}';

const HOOK_OUTCOMES: Record<number, string> = {
  200: 'ok',
  400: 'bad-request',
  401: 'unauthorized',
  404: 'not-found',
  412: 'prefetch-unavailable',
  413: 'too-large',
  415: 'unsupported-media-type',
  503: 'overloaded',
};

function hookOutcome(status: number | 'aborted'): string {
  if (status === 'aborted') return 'aborted';
  return HOOK_OUTCOMES[status] ?? (status >= 500 ? 'error' : `status-${status}`);
}

/** A counter whose value is owned elsewhere: set to the source's running total at each scrape. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      this.reset();
      if (v !== undefined) this.inc(v);
    },
  });
}

function mirroredGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v !== undefined) this.set(v);
    },
  });
}

/** Without a worker pool, evaluations run on the main thread: its event-loop utilisation between scrapes. */
export function mainThreadPool(): () => EvaluationPoolStats {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return { threads: 1, utilization: delta.utilization, queueDepth: 0 };
  };
}

let processRegistry: Registry | undefined;

/**
 * Node.js process metrics (CPU, memory, heap, GC, event-loop lag): one set per process, since each collector
 * installs its own event-loop monitor and GC observer, shared by every app the process builds (tests build many).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** The event metrics: observed on the request path. */
function eventInstruments(registry: Registry) {
  const http = new Counter({
    name: 'hlh_http_requests_total',
    help: 'HTTP responses by route template, method and status (aborted: the client closed the connection first).',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const hook = new Histogram({
    name: 'hlh_hook_duration_seconds',
    help: 'Hook call latency (POST /cds-services/{id}, from the first byte of the request to the last of the response) by outcome.',
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const cardLabels = ['indicator', 'syndrome', 'exposure_class'] as const;
  const shown = new Counter({ name: 'hlh_cards_total', help: 'Cards returned to the EHR.', labelNames: cardLabels, registers: [registry] });
  const silenced = new Counter({
    name: 'hlh_cards_silenced_total',
    help: 'Cards evaluated and logged but withheld by silent mode.',
    labelNames: cardLabels,
    registers: [registry],
  });
  const fhir = new Histogram({
    name: 'hlh_fhir_fetch_duration_seconds',
    help: 'FHIR queries made for missing prefetch, by prefetch key and outcome (ok, or the failure kind).',
    labelNames: ['key', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const fhirFailures = new Counter({
    name: 'hlh_fhir_fetch_failures_total',
    help: 'Failed FHIR queries for missing prefetch, by prefetch key and failure kind (timeout, network, http, deadline, ...).',
    labelNames: ['key', 'kind'] as const,
    registers: [registry],
  });
  const build = new Gauge({
    name: 'hlh_build_info',
    help: 'Always 1; the labels say what is running.',
    labelNames: ['version', 'knowledge_version', 'content_version', 'auth_mode', 'silent_mode'] as const,
    registers: [registry],
  });
  return { http, hook, shown, silenced, fhir, fhirFailures, build };
}

/** The state metrics: read at scrape time from `sources` (the pool once per scrape, through `pool()`). */
function stateInstruments(registry: Registry, sources: MetricSources, pool: () => EvaluationPoolStats | undefined): void {
  const cardLog = () => sources.cardLog?.();
  mirroredGauge(registry, 'hlh_card_log_queue_depth', 'Card log records waiting to be written.', () => cardLog()?.queueDepth);
  mirroredCounter(registry, 'hlh_card_log_write_failures_total', 'Card log batch writes that failed (each attempt; a batch is retried before its records count as lost).', () => cardLog()?.writeFailures);
  mirroredCounter(
    registry,
    'hlh_card_log_lost_writes_total',
    'Card log records that will never be stored (queue full or closed, or a failed write that is not retried).',
    () => cardLog()?.lostWrites,
  );
  mirroredGauge(registry, 'hlh_hook_in_flight', 'Hook evaluations admitted and not yet answered.', () => sources.admission?.().inFlight);
  mirroredCounter(
    registry,
    'hlh_hook_overload_refusals_total',
    'Hook calls refused with 503 because MAX_IN_FLIGHT evaluations were in progress.',
    () => sources.admission?.().refused,
  );
  mirroredGauge(registry, 'hlh_evaluation_pool_threads', 'Threads that evaluate hooks (1: the main thread, no worker pool).', () => pool()?.threads);
  mirroredGauge(registry, 'hlh_evaluation_pool_utilization', 'Share of the evaluation threads busy since the previous scrape (0..1).', () => pool()?.utilization);
  mirroredGauge(registry, 'hlh_evaluation_pool_queue_depth', 'Evaluations waiting for a thread.', () => pool()?.queueDepth);
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  const sources: MetricSources = {};
  const withProcess = options.defaultMetrics !== false;
  if (withProcess) processMetrics(); // start the collectors now: GC and event-loop lag are observed from start-up

  const { http, hook, shown, silenced, fhir, fhirFailures, build } = eventInstruments(registry);
  // One read of the pool per scrape (utilisation is measured between reads), shared by its three gauges.
  let pool: EvaluationPoolStats | undefined;
  stateInstruments(registry, sources, () => pool);

  const cardValues = (c: CardLabels) => ({ indicator: c.indicator, syndrome: c.syndrome ?? 'none', exposure_class: c.exposureClass ?? 'none' });

  return {
    registry,
    sources,
    observeHttp(e) {
      const status = String(e.status);
      http.inc({ route: e.route, method: e.method, status });
      if (e.route === HOOK_ROUTE && e.method === 'POST') hook.observe({ outcome: hookOutcome(e.status) }, e.seconds);
    },
    countCard(card, isSilenced) {
      (isSilenced ? silenced : shown).inc(cardValues(card));
    },
    observeFhirFetch(e) {
      fhir.observe({ key: e.key, outcome: e.failure ?? 'ok' }, e.seconds);
      if (e.failure) fhirFailures.inc({ key: e.key, kind: e.failure });
    },
    setBuildInfo(info) {
      build.reset();
      build.set(
        {
          version: info.version,
          knowledge_version: info.knowledgeVersion,
          content_version: info.contentVersion ?? '',
          auth_mode: info.authMode,
          silent_mode: info.silentMode,
        },
        1,
      );
    },
    async scrape() {
      pool = sources.evaluationPool?.();
      const exposed = withProcess ? Registry.merge([registry, processMetrics()]) : registry;
      return { contentType: registry.contentType, body: await exposed.metrics() };
    },
  };
}
