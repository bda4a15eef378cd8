/**
 * Integration against a real FHIR server implementation (Medplum's router + in-memory repository) on
 * loopback: the service gets a hook call with NO prefetch and must fetch every query itself,
 * following `next` pages, and hand the data to the pipeline.
 */
import request from 'supertest';
import type { Bundle } from '@medplum/fhirtypes';
import { startMedplumServer, type FhirTestServer } from '../support/medplum-server';
import { buildTestApp, hookRequest, type SpyEvaluator } from '../support/app';
import { issueText } from '../support/issue-text';

let fhir: FhirTestServer;

const seed: Bundle = {
  resourceType: 'Bundle',
  type: 'transaction',
  entry: [
    { fullUrl: 'urn:uuid:8c7b1b1e-0000-4000-8000-000000000001', resource: { resourceType: 'Patient', birthDate: '1961-04-02', gender: 'female' }, request: { method: 'POST', url: 'Patient' } },
    ...Array.from({ length: 7 }, (_, i) => ({
      resource: {
        resourceType: 'Condition' as const,
        subject: { reference: 'urn:uuid:8c7b1b1e-0000-4000-8000-000000000001' },
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10-cm', code: 'D89.832' }] },
        onsetDateTime: `2026-03-0${i + 1}`,
      },
      request: { method: 'POST' as const, url: 'Condition' },
    })),
    {
      resource: {
        resourceType: 'Procedure',
        status: 'completed',
        subject: { reference: 'urn:uuid:8c7b1b1e-0000-4000-8000-000000000001' },
        code: { text: 'axicabtagene ciloleucel infusion' },
        performedDateTime: '2026-03-01T10:00:00Z',
      },
      request: { method: 'POST', url: 'Procedure' },
    },
  ],
};

beforeAll(async () => {
  fhir = await startMedplumServer();
  await fhir.seed(seed);
});
afterAll(async () => fhir?.close());

it('fetches every missing prefetch key from the FHIR server, following next pages', async () => {
  const patient = (await fhir.repo.searchResources({ resourceType: 'Patient' }))[0]!;
  const { app, evaluator, deps } = buildTestApp({ configInput: { fhir: { maxPages: 10 } } });
  // Small pages force paging: 7 Conditions at _count=3 → 3 pages.
  deps.service.prefetch!.conditions = 'Condition?patient=Patient/{{context.patientId}}&_count=3';
  const res = await request(app)
    .post('/cds-services/hlh-screen')
    .send(hookRequest({ context: { userId: 'Practitioner/1', patientId: patient.id }, fhirServer: fhir.baseUrl }));
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ cards: [] });

  const call = (evaluator as SpyEvaluator).calls[0]!;
  expect(Object.values(call.data.sources).every((s) => s === 'fetched')).toBe(true);
  const resources = call.data.resources as Array<{ resourceType: string; entry?: Array<{ resource: { resourceType: string } }> }>;
  expect(resources.find((r) => r.resourceType === 'Patient')).toMatchObject({ id: patient.id, birthDate: '1961-04-02' });
  const conditions = resources
    .filter((r) => r.resourceType === 'Bundle')
    .flatMap((b) => b.entry ?? [])
    .filter((e) => e.resource.resourceType === 'Condition');
  expect(conditions).toHaveLength(7);
  expect(fhir.requests.filter((r) => r.startsWith('/fhir/R4/Condition'))).toHaveLength(3);
  expect(fhir.requests.some((r) => r.includes('Procedure'))).toBe(true);
  expect(call.data.issues).toEqual([]);
});

it('a page cap below the data size reads what it can and reports the truncation', async () => {
  const patient = (await fhir.repo.searchResources({ resourceType: 'Patient' }))[0]!;
  const { app, evaluator, deps } = buildTestApp({ configInput: { fhir: { maxPages: 2 } } });
  deps.service.prefetch!.conditions = 'Condition?patient=Patient/{{context.patientId}}&_count=3';
  await request(app)
    .post('/cds-services/hlh-screen')
    .send(hookRequest({ context: { userId: 'Practitioner/1', patientId: patient.id }, fhirServer: fhir.baseUrl }))
    .expect(200);
  const issues = (evaluator as SpyEvaluator).calls[0]!.data.issues;
  expect(issues).toEqual([expect.objectContaining({ code: 'fetch-truncated' })]);
  expect(issueText(issues[0]!)).toMatch(/conditions.*page cap \(2\)/);
});

it('an unknown patient (404 on read) → 412', async () => {
  const { app } = buildTestApp();
  const res = await request(app)
    .post('/cds-services/hlh-screen')
    .send(hookRequest({ context: { userId: 'Practitioner/1', patientId: 'does-not-exist' }, fhirServer: fhir.baseUrl }));
  expect(res.status).toBe(412);
  expect(res.body.issue.map((i: { expression: string[] }) => i.expression[0])).toContain('prefetch.patient');
});
