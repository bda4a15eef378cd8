/**
 * End to end through the HTTP app: silent mode, card logging after the response, feedback persistence,
 * /readyz, and a store that is down (hooks and feedback still answer).
 */
import request from 'supertest';
import { withCardLog } from '../../src/app';
import { createApp } from '../../src/app';
import type { Card } from '../../src/hooks/response';
import { createCardLogRuntime } from '../../src/store/card-log';
import { storeConfigSchema } from '../../src/store/config';
import { createSqliteStore } from '../../src/store/sqlite';
import type { CardStore } from '../../src/store/types';
import { loadConfig } from '../../src/config/load';
import { buildTestApp, hookRequest } from '../support/app';
import type { Evaluator } from '../../src/http/hook-task';

const CRITICAL = '11111111-1111-4111-8111-111111111111';
const INFO = '22222222-2222-4222-8222-222222222222';
const SUGGESTION = '33333333-3333-4333-8333-333333333333';

function cards(): Card[] {
  const source = { label: 'HLH Sentinel' };
  const extension = {
    'org.hlh-sentinel.assessment': {
      knowledgeVersion: '2026.11.0',
      syndrome: 'iec-hs',
      exposure: { class: 'car-t', agent: 'axicabtagene ciloleucel', matchedBy: 'code' },
    },
  };
  return [
    {
      uuid: CRITICAL,
      summary: 'Possible IEC-HS',
      indicator: 'critical',
      source,
      suggestions: [{ label: 'Order ferritin', uuid: SUGGESTION }],
      selectionBehavior: 'any',
      extension,
    },
    { uuid: INFO, summary: 'Work-up incomplete', indicator: 'info', source, extension },
  ];
}

const evaluator: Evaluator = () => ({ cards: cards() });

function build(options: { silent?: { enabled?: boolean; indicators?: Array<'info' | 'warning' | 'critical'> }; store?: CardStore } = {}) {
  const { deps, log } = buildTestApp({ evaluator, configInput: { silent: options.silent ?? {} } });
  const store = options.store ?? createSqliteStore({ path: ':memory:' });
  const cardLog = createCardLogRuntime(
    storeConfigSchema.parse({ kind: 'memory', patientIdMode: 'hmac', patientIdSecret: 'test-secret-0123456789', retryDelaysMs: [] }),
    deps.logger,
    { store },
  );
  const full = withCardLog(deps, cardLog);
  return { app: createApp(full), cardLog, store, log, close: () => full.close!() };
}

async function callHook(app: ReturnType<typeof createApp>, deps = buildTestApp().deps) {
  const prefetch = Object.fromEntries(Object.keys(deps.service.prefetch ?? {}).map((k) => [k, null]));
  return request(app).post('/cds-services/hlh-screen').send(hookRequest({ prefetch }));
}

const feedback = {
  feedback: [
    { card: CRITICAL, outcome: 'accepted', acceptedSuggestions: [{ id: SUGGESTION }], outcomeTimestamp: '2026-03-15T12:05:00Z' },
    {
      card: INFO,
      outcome: 'overridden',
      overrideReason: { reason: { system: 'https://example.org/reasons', code: 'already-aware' }, userComment: 'known' },
      outcomeTimestamp: '2026-03-15T12:06:00Z',
    },
  ],
};

describe('card log through the app', () => {
  test('normal mode: cards returned and logged; feedback stored once; report counts it', async () => {
    const t = build();
    const res = await callHook(t.app);
    expect(res.status).toBe(200);
    expect(res.body.cards.map((c: Card) => c.uuid)).toEqual([CRITICAL, INFO]);
    await t.cardLog.writer.flush();
    for (let i = 0; i < 2; i++) {
      const fb = await request(t.app).post('/cds-services/hlh-screen/feedback').send(feedback);
      expect(fb.status).toBe(200);
    }
    await t.cardLog.writer.flush();
    // Cards go through the queue; feedback was committed before each 200 (not queued).
    expect(t.cardLog.writer.stats()).toMatchObject({ written: 2, failed: 0, dropped: 0 });
    const report = await t.store.report({});
    expect(report.rows).toEqual([
      expect.objectContaining({ syndrome: 'iec-hs', triggerClass: 'car-t', indicator: 'critical', cardsShown: 1, cardsSilenced: 0, feedbackReceived: 1, acceptedPct: 100, acceptedSuggestions: [{ label: 'Order ferritin', count: 1 }] }),
      expect.objectContaining({ indicator: 'info', cardsShown: 1, feedbackReceived: 1, overriddenPct: 100 }),
    ]);
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', store: { kind: 'sqlite', ok: true, degraded: false, written: 2 } });
    expect(t.log.join('\n')).not.toContain('pat-1');
    await t.close();
  });

  test('silent mode: the response is {"cards": []} but every card is logged as silenced', async () => {
    const t = build({ silent: { enabled: true } });
    const res = await callHook(t.app);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
    await t.cardLog.writer.flush();
    const rows = (await t.store.report({})).rows;
    expect(rows.map((r) => [r.indicator, r.cardsShown, r.cardsSilenced])).toEqual([
      ['critical', 0, 1],
      ['info', 0, 1],
    ]);
    await t.close();
    expect(t.cardLog.writer.stats()).toMatchObject({ written: 2, failed: 0 });
  });

  test('per-indicator silence: critical shown, info silenced and logged', async () => {
    const t = build({ silent: { indicators: ['info'] } });
    const res = await callHook(t.app);
    expect(res.body.cards.map((c: Card) => c.indicator)).toEqual(['critical']);
    await t.cardLog.writer.flush();
    const rows = (await t.store.report({})).rows;
    expect(rows.map((r) => [r.indicator, r.cardsShown, r.cardsSilenced])).toEqual([
      ['critical', 1, 0],
      ['info', 0, 1],
    ]);
    await t.close();
  });

  test('store down: hook still returns cards, feedback 503 (never "saved" when it was not), failures counted, /readyz 503, /healthz 200 explains', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    const t = build({ store });
    await t.cardLog.readiness(); // let the background migration finish
    await store.close(); // the database goes away
    const res = await callHook(t.app);
    expect(res.status).toBe(200);
    expect(res.body.cards).toHaveLength(2);
    const fb = await request(t.app).post('/cds-services/hlh-screen/feedback').send(feedback);
    expect(fb.status).toBe(503);
    expect(fb.headers['retry-after']).toBe('5');
    expect(fb.body.resourceType).toBe('OperationOutcome');
    await t.cardLog.writer.flush();
    expect(t.cardLog.writer.stats()).toMatchObject({ written: 0, failed: 2 });
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'degraded', store: { ok: false, degraded: true, failed: 2 } });
    const health = await request(t.app).get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body.cardLog).toMatchObject({ status: 'degraded', lost: 2 });
    expect(health.body.cardLog.detail).toMatch(/cards are still served/);
    expect(t.log.join('\n')).toContain('card log write failed');
    expect(t.log.join('\n')).not.toContain('pat-1');
    await t.close();
  });

  test('silent mode and store settings from environment variables', () => {
    const config = loadConfig({
      SILENT_MODE: 'true',
      SILENT_INDICATORS: 'info,warning',
      STORE_KIND: 'postgres',
      DATABASE_URL: 'postgresql://u@db/hlh',
      RETENTION_DAYS: '90',
    });
    expect(config.silent).toEqual({ enabled: true, indicators: ['info', 'warning'] });
    expect(config.store).toMatchObject({ kind: 'postgres', postgresUrl: 'postgresql://u@db/hlh', retentionDays: 90 });
    expect(loadConfig({}).store).toMatchObject({ kind: 'sqlite', sqlitePath: './data/hlh-sentinel.db' });
    expect(() => loadConfig({ SILENT_INDICATORS: 'loud' })).toThrow(/silent.indicators/);
    expect(() => loadConfig({ PATIENT_ID_MODE: 'hmac' })).toThrow(/store.patientIdSecret/);
  });
});
