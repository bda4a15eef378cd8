/**
 * Issue 6 — property-based robustness: random and mutated hook requests against the production wiring
 * (createRuntime: real pipeline, card log in memory; AUTH_MODE=disabled-dev for this test only). The
 * service never answers 5xx, always answers JSON, and never takes longer than its deadline (plus slack).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import nock from 'nock';
import request from 'supertest';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/log/logger';
import { captureLog, HOOK_INSTANCE } from './harness';

const FHIR = 'https://fhir.fuzz.example/r4';
const DEADLINE_MS = 1_000;
const BOUND_MS = DEADLINE_MS + 2_000;
const RUNS = 200;

let server: Server;
let deps: AppDeps;
let keys: string[];
let log: string[];

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock('https://fhir.fuzz.example').persist().get(/.*/).reply(200, { resourceType: 'Bundle', type: 'searchset', entry: [] });
  const captured = captureLog();
  log = captured.lines;
  const config = loadConfig({
    AUTH_MODE: 'disabled-dev',
    FHIR_ALLOWED_SERVERS_WHEN_AUTH_DISABLED: FHIR,
    FHIR_DEADLINE_MS: String(DEADLINE_MS),
    FHIR_TIMEOUT_MS: '500',
    BODY_LIMIT: '2mb',
    STORE_KIND: 'memory',
    WORKERS: '0', // evaluate on the test's thread: nock intercepts FHIR calls only there
  });
  deps = createRuntime(config, createLogger('info', captured.stream));
  keys = Object.keys(deps.service.prefetch ?? {});
  server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
});
afterAll(async () => {
  nock.cleanAll();
  nock.enableNetConnect();
  await new Promise((resolve) => server.close(resolve));
  await deps.close?.();
});

const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// ---------- generators ----------
const iso = fc.date({ min: new Date('2020-01-01'), max: new Date('2027-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const loinc = fc.constantFrom('2276-4', '1988-5', '3255-7', '2532-0', '26515-7', '6690-2', '718-7', '8310-5', '1920-8', '2571-8', 'not-a-code');
const resource = fc.record(
  {
    resourceType: fc.constantFrom('Observation', 'Patient', 'Condition', 'MedicationRequest', 'MedicationAdministration', 'Procedure', 'OperationOutcome', 'Bundle', 'Nonsense'),
    id: fc.string({ maxLength: 20 }),
    status: fc.constantFrom('final', 'amended', 'entered-in-error', 'active', 'completed', ''),
    subject: fc.record({ reference: fc.constantFrom('Patient/pat-1', 'Patient/other', '') }),
    code: fc.record({ coding: fc.array(fc.record({ system: fc.constantFrom('http://loinc.org', 'http://snomed.info/sct', 'x'), code: loinc }), { maxLength: 3 }) }),
    valueQuantity: fc.record({
      value: fc.oneof(fc.double({ noNaN: false }), fc.integer(), fc.string({ maxLength: 5 })),
      unit: fc.string({ maxLength: 8 }),
      system: fc.constant('http://unitsofmeasure.org'),
      code: fc.constantFrom('mg/L', 'ng/mL', 'ug/L', 'U/L', '10*9/L', 'g/dL', 'Cel', '[degF]', 'mmol/L', '%', '{bogus}'),
    }),
    effectiveDateTime: fc.oneof(iso, fc.string({ maxLength: 12 })),
    authoredOn: iso,
    onsetDateTime: iso,
    gender: fc.constantFrom('male', 'female', 'other'),
    birthDate: fc.oneof(fc.constant('1960-01-01'), fc.string({ maxLength: 10 })),
  },
  { requiredKeys: ['resourceType'] },
);
const bundle = fc.record({
  resourceType: fc.constant('Bundle'),
  type: fc.constantFrom('searchset', 'collection'),
  entry: fc.array(fc.oneof(fc.record({ resource }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 15 }),
});
const prefetchValue = fc.oneof(
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: bundle, weight: 4 },
  { arbitrary: resource, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);
const nested = fc.integer({ min: 1, max: 120 }).map((depth) => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
});
const hugeString = fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'é\u202e<'.repeat(Math.ceil(n / 3)));
const wild = fc.oneof(fc.jsonValue({ maxDepth: 3 }), hugeString, nested, fc.constant(null), fc.constant(''), fc.integer(), fc.boolean());

const PATHS = [
  'hook',
  'hookInstance',
  'context',
  'context.userId',
  'context.patientId',
  'context.encounterId',
  'prefetch',
  'fhirServer',
  'fhirAuthorization',
  'fhirAuthorization.access_token',
  'fhirAuthorization.token_type',
  'fhirAuthorization.expires_in',
  'extension',
];

type Mutation = { op: 'delete'; path: string } | { op: 'replace'; path: string; value: unknown } | { op: 'prefetchKey'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('replace' as const), path: fc.constantFrom(...PATHS), value: wild }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant('prefetchKey' as const),
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'x'), fc.string({ maxLength: 10 })),
      value: prefetchValue,
    }),
    weight: 3,
  },
);

function baseRequest(prefetch: Record<string, unknown> | undefined, withServer: boolean): Record<string, unknown> {
  return {
    hook: 'patient-view',
    hookInstance: HOOK_INSTANCE,
    context: { userId: 'Practitioner/example', patientId: 'pat-1', encounterId: 'enc-1' },
    ...(withServer
      ? { fhirServer: FHIR, fhirAuthorization: { access_token: 'tok', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 's' } }
      : {}),
    ...(prefetch ? { prefetch } : {}),
  };
}

function apply(body: Record<string, unknown>, m: Mutation): void {
  if (m.op === 'prefetchKey') {
    const p = (typeof body.prefetch === 'object' && body.prefetch !== null ? body.prefetch : (body.prefetch = {})) as Record<string, unknown>;
    Object.defineProperty(p, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    return;
  }
  const parts = m.path.split('.');
  let node: unknown = body;
  for (const part of parts.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string, unknown>)[part];
  }
  if (typeof node !== 'object' || node === null) return;
  const last = parts[parts.length - 1]!;
  if (m.op === 'delete') delete (node as Record<string, unknown>)[last];
  else (node as Record<string, unknown>)[last] = m.value;
}

const hookRequest = fc
  .record({
    // Which prefetch keys the client filled, and with what.
    filled: fc.subarray([...Array(32).keys()]),
    values: fc.array(prefetchValue, { minLength: 32, maxLength: 32 }),
    withServer: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, { arbitrary: fc.constant(false), weight: 1 }),
    // Often none or one, so a good share of requests is valid and runs the whole pipeline.
    mutations: fc.oneof(fc.constant([]), fc.array(mutation, { maxLength: 3 })),
  })
  .map(({ filled, values, withServer, mutations }) => {
    const prefetch = Object.fromEntries(keys.filter((_k, i) => filled.includes(i)).map((k, i) => [k, values[i]]));
    const body = baseRequest(prefetch, withServer);
    for (const m of mutations) apply(body, m);
    return body;
  });

async function send(body: string, contentType = 'application/json') {
  const started = Date.now();
  const res = await request(url()).post('/cds-services/hlh-screen').set('Content-Type', contentType).send(body);
  return { res, ms: Date.now() - started };
}

function checkResponse({ res, ms }: { res: request.Response; ms: number }, label: string): void {
  if (res.status >= 500) throw new Error(`${label}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  if (!/json/.test(String(res.headers['content-type']))) throw new Error(`${label}: not JSON (${res.headers['content-type']})`);
  if (typeof res.body !== 'object' || res.body === null) throw new Error(`${label}: body is not a JSON object`);
  if (ms > BOUND_MS) throw new Error(`${label}: took ${ms} ms`);
}

describe('fuzz: the hook endpoint never answers 5xx and stays within its deadline', () => {
  it(`${RUNS} mutated hook requests`, async () => {
    const statuses: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(hookRequest, async (body) => {
        const r = await send(JSON.stringify(body));
        checkResponse(r, 'mutated request');
        statuses[r.res.status] = (statuses[r.res.status] ?? 0) + 1;
        if (r.res.status === 200) expect(Array.isArray(r.res.body.cards)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    expect(log.some((l) => l.includes('"level":50'))).toBe(false); // no unhandled-error lines
    // The generator is useful only if a fair share of requests is valid and runs the whole pipeline.
    expect(statuses[200] ?? 0).toBeGreaterThanOrEqual(RUNS * 0.15);
  }, 120_000);

  it('random JSON values and random text as the body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json({ maxDepth: 4 }), fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1))), async (text) => {
        checkResponse(await send(text), 'random body');
      }),
      { numRuns: 100 },
    );
  }, 60_000);

  it('odd content types and empty bodies', async () => {
    for (const [body, type] of [
      ['', 'application/json'],
      ['{}', 'text/plain'],
      ['{"hook":"patient-view"}', 'application/fhir+json'],
      ['\u0000\u0001', 'application/json'],
      ['{"hook":"patient-view"}', 'application/json; charset=utf-16'],
    ] as const) {
      checkResponse(await send(body, type), `content-type ${type}`);
    }
  });
});
