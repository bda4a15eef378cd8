/**
 * Conformance: "Service call" through the production runtime (createRuntime, real JWT authentication and
 * SSRF policy, real pipeline and cards): request shape, hook mismatch, fhirAuthorization ⇒ fhirServer, and
 * the four prefetch cases (absent / null / Bundle with zero entries / OperationOutcome or a Bundle holding
 * one) observed on the wire: status, outbound FHIR calls, and what the card says.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { testKey, FIXTURES, type TestKey } from '../support/jwt';
import { cardsResponseSchema } from '../../src/hooks/response';
import { examplePrefetch, hookBody, postService, productionApp, type Runtime } from './support';

const FHIR = 'https://fhir.test.example/r4';
const FHIR_ORIGIN = 'https://fhir.test.example';
const auth = (token = 'fhir-access-token-CONFORMANCE-42') => ({
  access_token: token,
  token_type: 'Bearer',
  expires_in: 300,
  scope: 'patient/*.read',
  subject: 'hlh-sentinel',
});

let key: TestKey;
let rt: Runtime;
beforeAll(async () => {
  key = await testKey('ES384');
  rt = productionApp(key);
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterEach(() => nock.cleanAll());
afterAll(async () => {
  nock.enableNetConnect();
  await rt?.close();
});

type CardBody = { cards: Array<{ indicator: string; detail?: string }> };
const expressions = (body: { issue: Array<{ expression?: string[] }> }) => body.issue.flatMap((i) => i.expression ?? []);

/** Any request to the FHIR origin is recorded (and answered) — so "no outbound call" can be asserted. */
function recordFhir(): string[] {
  const seen: string[] = [];
  nock(FHIR_ORIGIN)
    .persist()
    .get(/.*/)
    .reply(function (uri) {
      seen.push(uri);
      return [200, uri.includes('Patient/') ? { resourceType: 'Patient', id: 'x' } : { resourceType: 'Bundle', type: 'searchset' }];
    });
  return seen;
}

describe('request shape', () => {
  it('the spec patient-view example is not refused as malformed (its fhirServer is not registered → 412, never 400)', async () => {
    const example = JSON.parse(readFileSync(path.join(FIXTURES, 'patient-view-request-with-prefetch.json'), 'utf8')) as Record<string, unknown>;
    const res = await postService(rt, example);
    expect(res.status).toBe(412);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('hook mismatch → 400 OperationOutcome whose expression is hook', async () => {
    for (const hook of ['order-sign', 'encounter-start', 'PATIENT-VIEW']) {
      const res = await postService(rt, hookBody('p1', { hook, prefetch: {} }));
      expect(res.status).toBe(400);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(expressions(res.body)).toContain('hook');
    }
    const missing = await postService(rt, { ...hookBody('p1'), hook: undefined });
    expect(missing.status).toBe(400);
    expect(expressions(missing.body)).toContain('hook');
  });

  it('fhirAuthorization without fhirServer → 400 naming fhirServer', async () => {
    const res = await postService(rt, hookBody('p1', { fhirAuthorization: auth() }));
    expect(res.status).toBe(400);
    expect(expressions(res.body)).toContain('fhirServer');
  });

  it.each([
    ['token_type other than Bearer', { token_type: 'MAC' }, 'fhirAuthorization.token_type'],
    ['no access_token', { access_token: undefined }, 'fhirAuthorization.access_token'],
    ['no scope', { scope: undefined }, 'fhirAuthorization.scope'],
    ['no subject', { subject: undefined }, 'fhirAuthorization.subject'],
    ['expires_in not a number', { expires_in: '300' }, 'fhirAuthorization.expires_in'],
  ])('fhirAuthorization with %s → 400 naming the member', async (_n, change, field) => {
    const res = await postService(rt, hookBody('p1', { fhirServer: FHIR, fhirAuthorization: { ...auth(), ...change } }));
    expect(res.status).toBe(400);
    expect(expressions(res.body)).toContain(field);
  });

  it('fhirAuthorization with the optional patient member, encounterId in context, and extensions → accepted', async () => {
    const prefetch = examplePrefetch(rt, 'no-exposure');
    const body = hookBody('no-exposure', {
      prefetch,
      fhirServer: FHIR,
      fhirAuthorization: { ...auth(), patient: 'no-exposure' },
      extension: { 'com.example.ehr.flag': true },
    });
    (body.context as Record<string, unknown>).encounterId = 'enc-9';
    const res = await postService(rt, body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
  });

  it('malformed bodies → 400 with an OperationOutcome (never 5xx)', async () => {
    for (const body of [{}, { ...hookBody('p1'), hookInstance: 'not-a-uuid' }, { ...hookBody('p1'), context: 'x' }, { ...hookBody('p1'), prefetch: [] }]) {
      const res = await postService(rt, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.headers['content-type']).toMatch(/json/);
    }
  });
});

describe('prefetch semantics (production runtime, IEC-HS example patient)', () => {
  const ID = 'iec-hs-axicel';
  async function call(mutate: (p: Record<string, unknown>) => void, extra: Record<string, unknown> = { fhirServer: FHIR, fhirAuthorization: auth() }) {
    const prefetch = examplePrefetch(rt, ID);
    mutate(prefetch);
    const seen = recordFhir();
    const res = await postService(rt, hookBody(ID, { prefetch, ...extra }));
    return { res, seen };
  }

  it('baseline: every key prefetched → 200 with a critical card, no outbound call', async () => {
    const { res, seen } = await call(() => undefined);
    expect(res.status).toBe(200);
    expect(cardsResponseSchema.safeParse(res.body).success).toBe(true);
    expect((res.body as CardBody).cards.map((c) => c.indicator)).toEqual(['critical']);
    expect(seen).toEqual([]);
  });

  it('key absent → fetched from fhirServer with the bearer token (and only that key)', async () => {
    const prefetch = examplePrefetch(rt, ID);
    delete prefetch.conditions;
    const authHeaders: string[] = [];
    const scope = nock(FHIR_ORIGIN)
      .get('/r4/Condition')
      .query(true)
      .reply(function () {
        authHeaders.push(String(this.req.headers.authorization));
        return [200, { resourceType: 'Bundle', type: 'searchset' }];
      });
    const res = await postService(rt, hookBody(ID, { prefetch, fhirServer: FHIR, fhirAuthorization: auth('tok-absent-1') }));
    expect(res.status).toBe(200);
    expect(scope.isDone()).toBe(true);
    expect(authHeaders).toEqual(['Bearer tok-absent-1']);
  });

  it('key absent and no fhirServer → 412 naming the key', async () => {
    const prefetch = examplePrefetch(rt, ID);
    delete prefetch.labsChemistry;
    const res = await postService(rt, hookBody(ID, { prefetch }));
    expect(res.status).toBe(412);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(expressions(res.body)).toEqual(['prefetch.labsChemistry']);
  });

  it('key absent and fetching impossible (fhirServer not registered for the caller) → 412, no outbound call', async () => {
    const prefetch = examplePrefetch(rt, ID);
    delete prefetch.patient;
    const seen = recordFhir();
    const res = await postService(rt, hookBody(ID, { prefetch, fhirServer: 'https://elsewhere.test.example/r4', fhirAuthorization: auth() }));
    expect(res.status).toBe(412);
    expect(seen).toEqual([]);
  });

  it('key null → 200, no refetch although fhirServer and a token are present, no 412, no failure note', async () => {
    const { res, seen } = await call((p) => (p.conditions = null));
    expect(res.status).toBe(200);
    expect(seen).toEqual([]);
    expect(JSON.stringify(res.body)).not.toMatch(/could not provide/);
  });

  it('key null with no fhirServer at all → 200 (null never means "fetch it")', async () => {
    const keys = Object.keys(rt.deps.service.prefetch!);
    const res = await postService(rt, hookBody(ID, { prefetch: Object.fromEntries(keys.map((k) => [k, null])) }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cards: [] });
  });

  it('key = Bundle with zero entries → nothing found: same cards as null, no refetch, no failure note', async () => {
    const asNull = await call((p) => (p.labsChemistry = null));
    const asEmpty = await call((p) => (p.labsChemistry = { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }));
    expect(asEmpty.res.status).toBe(200);
    expect(asEmpty.seen).toEqual([]);
    const summary = (b: CardBody) => b.cards.map((c) => c.indicator);
    expect(summary(asEmpty.res.body as CardBody)).toEqual(summary(asNull.res.body as CardBody));
    expect(JSON.stringify(asEmpty.res.body)).not.toMatch(/could not provide/);
  });

  it.each([
    ['an OperationOutcome', { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'access denied by policy' }] }],
    [
      'a Bundle holding an OperationOutcome',
      {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'timeout', diagnostics: 'access denied by policy' }] }, search: { mode: 'outcome' } }],
      },
    ],
  ])('key = %s → 200, missing data with a visible note on the card naming the key, no refetch (default "note")', async (_n, value) => {
    const { res, seen } = await call((p) => (p.conditions = value));
    expect(res.status).toBe(200);
    expect(seen).toEqual([]);
    const cards = (res.body as CardBody).cards;
    expect(cards).toHaveLength(1);
    expect(cards[0]!.detail).toMatch(/could not provide.*conditions.*access denied by policy/);
  });

  it('key = OperationOutcome with prefetch.onOperationOutcome = refetch → fetched again from fhirServer', async () => {
    const rt2 = productionApp(key, { prefetch: { onOperationOutcome: 'refetch' } });
    try {
      const prefetch = examplePrefetch(rt2, ID);
      prefetch.procedures = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception' }] };
      const scope = nock(FHIR_ORIGIN).get('/r4/Procedure').query(true).reply(200, { resourceType: 'Bundle', type: 'searchset' });
      const res = await postService(rt2, hookBody(ID, { prefetch, fhirServer: FHIR, fhirAuthorization: auth() }));
      expect(res.status).toBe(200);
      expect(scope.isDone()).toBe(true);
      expect(JSON.stringify(res.body)).not.toMatch(/could not provide/);
    } finally {
      await rt2.close();
    }
  });
});

describe('outbound FHIR calls are bounded; the access token is transient', () => {
  it('a FHIR server that never answers → 412 within the configured timeout, not a hang', async () => {
    const sockets = new Set<Socket>();
    const server = http.createServer(() => undefined); // accepts, never answers
    server.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
    const rt2 = productionApp(key, { fhir: { timeoutMs: 200, deadlineMs: 400 } }, [base]);
    try {
      const prefetch = examplePrefetch(rt2, 'iec-hs-axicel');
      delete prefetch.patient;
      const started = Date.now();
      const res = await postService(rt2, hookBody('iec-hs-axicel', { prefetch, fhirServer: base, fhirAuthorization: auth() }));
      const elapsed = Date.now() - started;
      expect(res.status).toBe(412);
      expect(expressions(res.body)).toEqual(['prefetch.patient']);
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      await rt2.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('the defaults bound every call: per-request timeout and an overall deadline', () => {
    const { timeoutMs, deadlineMs } = rt.deps.config.fhir;
    expect(timeoutMs).toBeGreaterThan(0);
    expect(timeoutMs).toBeLessThanOrEqual(deadlineMs);
    expect(deadlineMs).toBeLessThanOrEqual(10_000);
  });

  it('the FHIR access token is in no response, no log line and not in the card log store (SQLite file)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hlh-conformance-'));
    const TOKEN = 'fhir-access-token-MUST-NOT-PERSIST-7f3a';
    const rt2 = productionApp(key, { store: { kind: 'sqlite', sqlitePath: path.join(dir, 'cards.db') } });
    try {
      const prefetch = examplePrefetch(rt2, 'iec-hs-axicel');
      delete prefetch.patient;
      nock(FHIR_ORIGIN).get('/r4/Patient/iec-hs-axicel').reply(200, { resourceType: 'Patient', id: 'iec-hs-axicel', birthDate: '1961-04-02' });
      const res = await postService(rt2, hookBody('iec-hs-axicel', { prefetch, fhirServer: FHIR, fhirAuthorization: auth(TOKEN) }));
      expect(res.status).toBe(200);
      expect((res.body as CardBody).cards).toHaveLength(1);
      expect(JSON.stringify(res.body)).not.toContain(TOKEN);
      await rt2.close();
      const files = readdirSync(dir);
      expect(files.some((f) => f.startsWith('cards.db'))).toBe(true);
      for (const f of files) expect({ f, has: readFileSync(path.join(dir, f)).includes(TOKEN) }).toEqual({ f, has: false });
      // The store did receive the card (so the check above looked at real content).
      const cardUuid = (res.body as { cards: Array<{ uuid: string }> }).cards[0]!.uuid;
      expect(files.some((f) => readFileSync(path.join(dir, f)).includes(cardUuid))).toBe(true);
      expect(rt2.log.join('\n')).not.toContain(TOKEN);
    } finally {
      await rt2.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
