/**
 * The production assembly end to end: configuration → createRuntime (real JWT authentication, SSRF
 * policy, card log, knowledge, card content, pipeline) → HTTP. Every example patient goes in as the
 * EHR would send it (prefetch split into the discovery keys), and once with no prefetch at all
 * against a real FHIR server (Medplum) seeded with the same Bundle: both paths must give the same card.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import type { Bundle } from '@medplum/fhirtypes';
import { configSchema } from '../../src/config/schema';
import { createApp, createRuntime, type AppDeps } from '../../src/app';
import { createLogger } from '../../src/log/logger';
import { cardsResponseSchema, ownCardSchema, type Card } from '../../src/hooks/response';
import { assessmentExtensionSchema, EXTENSION_KEY } from '../../src/render/extension';
import { toPrefetch, entriesOf } from '../../src/cli/evaluate';
import { memoryLog } from '../support/app';
import { BRIEF_BUDGET } from '../../src/render/brief';
import { loadCardContent } from '../../src/render/content';
import { FORBIDDEN, tableCount } from '../render/brief-checks';

const content = loadCardContent();
import { testKey, mintToken, TEST_ISS, PUBLIC_BASE, SERVICE_AUD, type TestKey } from '../support/jwt';
import { startMedplumServer, type FhirTestServer } from '../support/medplum-server';

const examplesDir = path.resolve(__dirname, '../../examples/patients');
const AS_OF = new Date('2026-03-15T12:00:00Z');

/** Expected indicator per example (examples/patients/README.md; rules: the knowledge base's `indicator`). */
const EXPECTED: Record<string, 'critical' | 'warning' | 'info' | 'none'> = {
  'iec-hs-axicel': 'critical',
  'ici-hlh-pembrolizumab': 'critical',
  'lamotrigine-hlh': 'critical',
  'crs-no-iec-hs': 'none',
  'isolated-hyperferritinemia': 'none',
  'no-exposure': 'none',
};

let key: TestKey;
let fhir: FhirTestServer;
let app: Express;
let deps: AppDeps;
let log: string[];

beforeAll(async () => {
  key = await testKey('ES384');
  fhir = await startMedplumServer();
  const config = configSchema.parse({
    logLevel: 'info',
    hookDeadlineMs: 30_000, // the first calls wait for the evaluation workers to start (slow on a loaded machine)
    store: { kind: 'memory' },
    security: {
      publicBaseUrl: PUBLIC_BASE,
      fhir: { allowHttpLoopback: true },
      auth: { mode: 'required', issuers: [{ iss: TEST_ISS, jwks: { keys: [key.publicJwk] }, fhirServers: [fhir.baseUrl] }] },
    },
  });
  const captured = memoryLog();
  log = captured.lines;
  deps = { ...createRuntime(config, createLogger(config.logLevel, captured.stream)), now: () => AS_OF };
  app = createApp(deps);
});
afterAll(async () => {
  await deps?.close?.();
  await fhir?.close();
});

function load(id: string): { resources: Array<Record<string, unknown>> } {
  const bundle = JSON.parse(readFileSync(path.join(examplesDir, `${id}.json`), 'utf8'));
  return { resources: entriesOf(bundle) as Array<Record<string, unknown>> };
}

async function call(body: Record<string, unknown>) {
  return request(app)
    .post('/cds-services/hlh-screen')
    .set('authorization', `Bearer ${await mintToken(key, { aud: SERVICE_AUD })}`)
    .send(body);
}

function checkCards(body: unknown): Card[] {
  const parsed = cardsResponseSchema.safeParse(body);
  expect(parsed.error).toBeUndefined();
  for (const card of parsed.data!.cards) {
    expect(ownCardSchema.safeParse(card).error).toBeUndefined();
    expect(assessmentExtensionSchema.safeParse(card.extension?.[EXTENSION_KEY]).error).toBeUndefined();
  }
  return parsed.data!.cards;
}

/** The brief detail (the default): within budget, at most one table, the must-say items, nothing unusable. */
function checkBrief(card: Card): void {
  const d = card.detail!;
  const b = content.wording.brief;
  expect(d.length).toBeLessThanOrEqual(BRIEF_BUDGET[card.indicator]);
  expect(tableCount(d)).toBeLessThanOrEqual(1);
  expect(d).toContain(b.disclaimer);
  expect(d).toContain('**Trigger:**');
  expect(d).toMatch(/day \d+ after/);
  expect(d).toContain(`**${b.indicator[card.indicator]}:**`);
  expect(d).toMatch(/HLH-2004: \d met, \d unknown of 8/);
  expect(d).toMatch(/HScore \d+/);
  expect(d).toContain(b.criteriaHeading);
  // the runtime has a public base URL: the card links to the evidence view and the detail points to it
  expect(card.links![0]).toMatchObject({ type: 'smart' });
  expect(d.replace(/\\/g, '')).toContain(`**${card.links![0]!.label}** (link below)`);
  for (const [name, re] of FORBIDDEN) expect({ name, match: re.exec(d)?.[0] ?? re.exec(card.summary)?.[0] }).toEqual({ name, match: undefined });
}

it('every example patient has an expectation', () => {
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
});

describe.each(Object.entries(EXPECTED))('%s with full prefetch', (id, indicator) => {
  it(`answers ${indicator === 'none' ? 'no card' : `one ${indicator} card`}`, async () => {
    const { resources } = load(id);
    const prefetch = toPrefetch(resources as never, deps.service.prefetch!);
    const res = await call({
      hook: 'patient-view',
      hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
      context: { userId: 'Practitioner/example', patientId: id, encounterId: 'enc-1' },
      prefetch,
    });
    expect(res.status).toBe(200);
    const cards = checkCards(res.body);
    if (indicator === 'none') {
      expect(cards).toEqual([]);
      return;
    }
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(card.indicator).toBe(indicator);
    checkBrief(card);
    // Orders are drafted for this patient and encounter only.
    for (const s of card.suggestions ?? []) {
      for (const a of s.actions ?? []) {
        expect(a.resource).toMatchObject({ resourceType: 'ServiceRequest', status: 'draft', intent: 'proposal', subject: { reference: `Patient/${id}` }, encounter: { reference: 'Encounter/enc-1' } });
      }
    }
  });
});

it('the IEC-HS patient: evidence on the card, the access token and patient id never in the log', async () => {
  const { resources } = load('iec-hs-axicel');
  const res = await call({
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: { userId: 'Practitioner/example', patientId: 'iec-hs-axicel' },
    prefetch: toPrefetch(resources as never, deps.service.prefetch!),
  });
  const card = checkCards(res.body)[0]!;
  expect(card.summary).toMatch(/IEC-HS.*day 12.*axi-cel.*ferritin 24,500 ng\/mL/);
  expect(card.summary.length).toBeLessThan(140);
  expect(card.detail).toContain('HLH-2004: 4 met, 4 unknown of 8');
  expect(card.detail!.replace(/\\/g, '')).toContain('Trigger:** axi-cel (CAR T-cell therapy), day 12 after infusion');
  expect(card.detail).toContain('Ferritin 24,500 ng/mL, 61× ULN (&gt; 800)');
  expect(card.detail).toContain('probability 93%');
  const ext = card.extension![EXTENSION_KEY] as { syndrome: string; exposure: { class: string; daysSince: number } };
  expect(ext).toMatchObject({ syndrome: 'iec-hs', exposure: { class: 'car-t', daysSince: 12 } });
  const text = log.join('\n');
  expect(text).not.toContain('iec-hs-axicel');
});

it('no prefetch: the same IEC-HS card from data fetched off a real FHIR server', async () => {
  const { resources } = load('iec-hs-axicel');
  // Keep ids (PUT) so references inside the Bundle still resolve on the server.
  const seed = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${String(r.resourceType)}/${String(r.id)}` } })),
  } as unknown as Bundle;
  await fhir.seed(seed);
  fhir.requests.length = 0;
  const res = await call({
    hook: 'patient-view',
    hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
    context: { userId: 'Practitioner/example', patientId: 'iec-hs-axicel' },
    fhirServer: fhir.baseUrl,
    fhirAuthorization: { access_token: 'fhir-token-XYZ-987', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'hlh-sentinel' },
  });
  expect(res.status).toBe(200);
  const card = checkCards(res.body)[0]!;
  expect(card.indicator).toBe('critical');
  expect(card.summary).toMatch(/IEC-HS.*day 12.*ferritin 24,500 ng\/mL/);
  // Every discovery key was fetched (one request per key: no paging needed at this size).
  expect(fhir.requests.length).toBe(Object.keys(deps.service.prefetch!).length);
  expect(log.join('\n')).not.toContain('fhir-token-XYZ-987');
});

it('a call without a token is refused before any evaluation', async () => {
  const res = await request(app).post('/cds-services/hlh-screen').send({ hook: 'patient-view' });
  expect(res.status).toBe(401);
  expect(res.body.resourceType).toBe('OperationOutcome');
});
