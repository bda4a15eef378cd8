/**
 * GET /metrics on the production assembly: drive hooks (every example patient, errors, an overload, FHIR
 * fetches that succeed and fail) and check that the scraped counters say exactly what happened.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import request from 'supertest';
import { evaluateBundle } from '../../src/cli/evaluate';
import { loadKnowledge } from '../../src/knowledge/load';
import { loadCardContent } from '../../src/render/content';
import { toTransaction } from '../../src/dev/fhir-seed';
import { cardLabels, statsSources } from '../../src/observability/card-metrics';
import { APP_VERSION } from '../../src/version';
import { AS_OF, EXAMPLES_DIR, EXAMPLE_IDS, examplePrefetch, hookBody, postService, productionApp, SERVICE, type Runtime } from '../conformance/support';
import { startMedplumServer, type FhirTestServer } from '../support/medplum-server';
import { testKey, type TestKey } from '../support/jwt';
import { parseSamples, sum, has, type Sample } from '../support/prometheus';
import { buildTestApp, testConfig } from '../support/app';
import type { AddressInfo } from 'node:net';
import { createApp, withCardLog, withMetrics } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import type { ConfigInput } from '../../src/config/schema';
import { createMetrics } from '../../src/observability/metrics';
import { startListeners } from '../../src/server';
import { createCardLogRuntime } from '../../src/store/card-log';
import { storeConfigSchema } from '../../src/store/config';
import type { CardStore } from '../../src/store/types';
import { createStats } from '../../src/ops/stats';

jest.setTimeout(30_000);

const ROUTE = '/cds-services/{id}';
const key = (s: { indicator: string; syndrome: string | null; exposureClass: string | null }) =>
  `${s.indicator}|${s.syndrome ?? 'none'}|${s.exposureClass ?? 'none'}`;

/** Cards the offline pipeline renders for each example (the same knowledge and content as the service). */
function expectedCards(): Map<string, Array<{ indicator: string; syndrome: string | null; exposureClass: string | null }>> {
  const knowledge = loadKnowledge();
  const content = loadCardContent();
  const out = new Map<string, ReturnType<typeof cardLabels>[]>();
  for (const id of EXAMPLE_IDS) {
    const file = path.join(EXAMPLES_DIR, `${id}.json`);
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    out.set(id, evaluateBundle(file, bundle, { asOf: AS_OF.toISOString() }, knowledge, content).cards.map(cardLabels));
  }
  return out;
}

const expected = expectedCards();

function tally(labels: Array<ReturnType<typeof cardLabels>>): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of labels) m.set(key(l), (m.get(key(l)) ?? 0) + 1);
  return m;
}

function cardCounts(samples: Sample[], name: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of samples.filter((x) => x.name === name && x.value > 0)) {
    m.set(`${s.labels.indicator}|${s.labels.syndrome}|${s.labels.exposure_class}`, s.value);
  }
  return m;
}

describe('GET /metrics after driving hooks (production assembly)', () => {
  let es: TestKey;
  let rt: Runtime;
  let fhir: FhirTestServer;
  let samples: Sample[];
  let scrape: request.Response;
  const statuses: number[] = [];

  beforeAll(async () => {
    es = await testKey('ES384');
    // The latency is the window in which the second call must arrive to be refused: wide enough for a loaded CI machine.
    fhir = await startMedplumServer({ latencyMs: 600 });
    await fhir.seed(toTransaction(JSON.parse(readFileSync(path.join(EXAMPLES_DIR, 'iec-hs-axicel.json'), 'utf8'))) as unknown as Bundle);
    rt = productionApp(es, { maxInFlight: 1, bodyLimit: '1mb' }, [fhir.baseUrl, 'http://127.0.0.1:1/fhir']);

    // Every example patient, fully prefetched.
    for (const id of EXAMPLE_IDS) statuses.push((await postService(rt, hookBody(id, { prefetch: examplePrefetch(rt, id) }))).status);
    // 400, 401, 412 (key absent, no fhirServer), 413.
    statuses.push((await postService(rt, { hook: 'patient-view' })).status);
    statuses.push((await request(rt.app).post(SERVICE).send(hookBody('x', { prefetch: {} }))).status);
    statuses.push((await postService(rt, hookBody('iec-hs-axicel', { prefetch: {} }))).status);
    statuses.push((await postService(rt, { hook: 'patient-view', pad: 'x'.repeat(1_100_000) })).status);
    // One key fetched from the FHIR server (600 ms) while a second call arrives: that one is refused (503).
    const { conditions: _omitted, ...partial } = examplePrefetch(rt, 'iec-hs-axicel');
    const slow = postService(rt, hookBody('iec-hs-axicel', { prefetch: partial, fhirServer: fhir.baseUrl }));
    const inFlight = slow.then((r) => r);
    while (fhir.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    statuses.push((await postService(rt, hookBody('iec-hs-axicel', { prefetch: examplePrefetch(rt, 'iec-hs-axicel') }))).status);
    statuses.push((await inFlight).status);
    // A FHIR server that is not there: the fetch fails (network) → 412.
    statuses.push((await postService(rt, hookBody('iec-hs-axicel', { prefetch: partial, fhirServer: 'http://127.0.0.1:1/fhir' }))).status);

    await rt.deps.close?.();
    scrape = await request(rt.app).get('/metrics');
    samples = parseSamples(scrape.text);
  });

  afterAll(async () => {
    await fhir.close();
  });

  it('answers the Prometheus text format to a loopback client', () => {
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(statuses).toEqual([...EXAMPLE_IDS.map(() => 200), 400, 401, 412, 413, 503, 200, 412]);
  });

  it('counts the cards returned by indicator, syndrome and exposure class', () => {
    const all = [...EXAMPLE_IDS.flatMap((id) => expected.get(id)!), ...expected.get('iec-hs-axicel')!];
    expect(new Set(all.map(key)).size).toBeGreaterThanOrEqual(3);
    expect(cardCounts(samples, 'hlh_cards_total')).toEqual(tally(all));
    expect(cardCounts(samples, 'hlh_cards_silenced_total').size).toBe(0);
  });

  it('counts responses by route and status, and hook latency by outcome', () => {
    const n = (status: string) => sum(samples, 'hlh_http_requests_total', { route: ROUTE, method: 'POST', status });
    expect([n('200'), n('400'), n('401'), n('412'), n('413'), n('503')]).toEqual([EXAMPLE_IDS.length + 1, 1, 1, 2, 1, 1]);
    const outcome = (o: string) => sum(samples, 'hlh_hook_duration_seconds_count', { outcome: o });
    expect([outcome('ok'), outcome('bad-request'), outcome('unauthorized'), outcome('prefetch-unavailable'), outcome('too-large'), outcome('overloaded')]).toEqual([
      EXAMPLE_IDS.length + 1,
      1,
      1,
      2,
      1,
      1,
    ]);
    // The slow call waited for its 150 ms FHIR fetch: at least one observation lies above the 0.1 s bucket.
    expect(sum(samples, 'hlh_hook_duration_seconds_bucket', { outcome: 'ok', le: '0.1' })).toBeLessThan(outcome('ok'));
    expect(sum(samples, 'hlh_hook_overload_refusals_total')).toBe(1);
    expect(sum(samples, 'hlh_hook_in_flight')).toBe(0);
  });

  it('times FHIR fetches by prefetch key and counts failures by kind', () => {
    expect(sum(samples, 'hlh_fhir_fetch_duration_seconds_count', { key: 'conditions', outcome: 'ok' })).toBe(1);
    expect(sum(samples, 'hlh_fhir_fetch_duration_seconds_sum', { key: 'conditions', outcome: 'ok' })).toBeGreaterThanOrEqual(0.15);
    expect(sum(samples, 'hlh_fhir_fetch_failures_total', { key: 'conditions', kind: 'network' })).toBe(1);
    expect(sum(samples, 'hlh_fhir_fetch_failures_total')).toBe(1);
  });

  it('reports the card log, the evaluation threads, the build and the process', () => {
    expect(sum(samples, 'hlh_card_log_queue_depth')).toBe(0);
    expect(sum(samples, 'hlh_card_log_write_failures_total')).toBe(0);
    expect(sum(samples, 'hlh_card_log_lost_writes_total')).toBe(0);
    expect(sum(samples, 'hlh_evaluation_pool_threads')).toBe(1);
    const u = sum(samples, 'hlh_evaluation_pool_utilization');
    expect(u).toBeGreaterThan(0);
    expect(u).toBeLessThanOrEqual(1);
    expect(samples.find((s) => s.name === 'hlh_build_info')?.labels).toMatchObject({ version: APP_VERSION, auth_mode: 'required', silent_mode: 'off' });
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(has(samples, name)).toBe(true);
    }
  });
});

describe('GET /metrics in silent mode', () => {
  it('counts withheld cards as silenced, none as returned', async () => {
    const rt = productionApp(await testKey('ES384'), { silent: { enabled: true } });
    for (const id of EXAMPLE_IDS) {
      const res = await postService(rt, hookBody(id, { prefetch: examplePrefetch(rt, id) }));
      expect(res.body).toEqual({ cards: [] });
    }
    await rt.close();
    const samples = parseSamples((await request(rt.app).get('/metrics')).text);
    expect(cardCounts(samples, 'hlh_cards_silenced_total')).toEqual(tally(EXAMPLE_IDS.flatMap((id) => expected.get(id)!)));
    expect(cardCounts(samples, 'hlh_cards_total').size).toBe(0);
    expect(samples.find((s) => s.name === 'hlh_build_info')?.labels.silent_mode).toBe('all');
  });
});

describe('card log metrics when the store fails', () => {
  it('counts failed write attempts and lost records (after the retries, and what a full queue drops)', async () => {
    const failing: CardStore = {
      kind: 'sqlite',
      migrate: async () => [],
      recordCards: async () => Promise.reject(new Error('disk full')),
      recordFeedback: async () => Promise.reject(new Error('disk full')),
      purgeOlderThan: async () => 0,
      health: async () => ({ ok: false, detail: 'disk full' }),
      report: async () => Promise.reject(new Error('disk full')),
      close: async () => undefined,
    };
    const { deps } = buildTestApp({ evaluator: () => ({ cards: [] }) });
    const stats = createStats();
    const config = storeConfigSchema.parse({ kind: 'memory', queueMax: 2, retryDelaysMs: [1] });
    const cardLog = createCardLogRuntime(config, deps.logger, { store: failing, stats });
    const metrics = createMetrics({ defaultMetrics: false });
    Object.assign(metrics.sources, statsSources(stats));
    withMetrics(withCardLog(deps, cardLog), metrics);
    const record = (n: number) => ({ card: { uuid: `9368d37b-283f-44a0-93ea-54${String(n).padStart(10, '0')}`, summary: 's', indicator: 'info' as const }, silenced: false });
    cardLog.logCards({ cards: [record(1), record(2), record(3)], serviceId: 'hlh-screen', hookInstance: 'h', patientId: 'p', knowledgeVersion: 'k' });
    await cardLog.writer.flush();
    const samples = parseSamples((await metrics.scrape()).body);
    // queueMax 2: one of the three records is dropped at once; the batch of the other two fails twice (one retry).
    expect(sum(samples, 'hlh_card_log_write_failures_total')).toBe(2);
    expect(sum(samples, 'hlh_card_log_lost_writes_total')).toBe(3);
    expect(sum(samples, 'hlh_card_log_queue_depth')).toBe(0);
    await cardLog.close();
  });
});

describe('who may scrape', () => {
  const scrape = (input: ConfigInput, ip?: string) => {
    const { deps } = buildTestApp({ configInput: input });
    const app = createApp({ ...deps, metrics: createMetrics({ defaultMetrics: false }) });
    const req = request(app).get('/metrics');
    return ip ? req.set('X-Forwarded-For', ip) : req;
  };

  it('by default only loopback clients on the service port', async () => {
    expect((await scrape({})).status).toBe(200);
    const refused = await scrape({ metrics: { allow: ['10.0.0.0/8'] } });
    expect(refused.status).toBe(403);
    expect(refused.body.resourceType).toBe('OperationOutcome');
  });

  it('X-Forwarded-For counts only from a trusted proxy (no spoofing an allowed address)', async () => {
    expect((await scrape({ metrics: { allow: ['10.0.0.0/8'] } }, '10.1.2.3')).status).toBe(403);
    expect((await scrape({ metrics: { allow: ['10.0.0.0/8'] }, security: { trustProxy: 'loopback' } }, '10.1.2.3')).status).toBe(200);
    expect((await scrape({ security: { trustProxy: 'loopback' } }, '203.0.113.9')).status).toBe(403);
  });

  it('with METRICS_PORT, /metrics is served on that port only', async () => {
    const config = testConfig({ host: '127.0.0.1', port: 0, metrics: { port: 0 }, logLevel: 'silent' });
    const { deps } = buildTestApp({ config });
    const servers = await startListeners({ ...deps, metrics: createMetrics({ defaultMetrics: false }) }, config, deps.logger);
    try {
      const [main, side] = servers.map((s) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
      expect((await fetch(`${main}/metrics`)).status).toBe(404);
      const ok = await fetch(`${side}/metrics`);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(/^# HELP hlh_/m);
      expect((await fetch(`${side}/healthz`)).status).toBe(404);
      expect((await fetch(`${main}/healthz`)).status).toBe(200);
    } finally {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    }
  });

  it('refuses a malformed allowlist entry and a metrics port equal to the service port', () => {
    expect(() => loadConfig({ METRICS_ALLOW: '10.0.0.0/33' })).toThrow(/metrics\.allow\[0\]: must be an IP address/);
    expect(() => loadConfig({ METRICS_ALLOW: 'prometheus.local' })).toThrow(/CIDR/);
    expect(() => loadConfig({ PORT: '9000', METRICS_PORT: '9000' })).toThrow(/metrics\.port/);
    expect(loadConfig({ METRICS_ALLOW: '10.0.0.0/8, ::1' }).metrics.allow).toEqual(['10.0.0.0/8', '::1']);
  });
});
