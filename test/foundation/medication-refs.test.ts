/**
 * medicationReference resolution in the shell: which Medication references need an instance read (pure plan),
 * and the reads themselves against nock-simulated faults (404, timeout, over the bound, another server, a
 * fhirServer the EHR may not use), in prefetch mode as in fetch mode. Never a 412; always one counted data issue.
 */
import nock from 'nock';
import { medicationReadPlan } from '../../src/fhir/medication-refs';
import { resolveData } from '../../src/fhir/resolve';
import type { ResolveOptions } from '../../src/fhir/resolved-data';
import { issueText, withText } from '../support/issue-text';

const ORIGIN = 'https://fhir.example.org';
const BASE = `${ORIGIN}/r4`;

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const request = (ref: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'MedicationRequest',
  id: `r-${ref.replace(/[^A-Za-z0-9]/g, '')}`,
  status: 'active',
  intent: 'order',
  subject: { reference: 'Patient/p1' },
  medicationReference: { reference: ref },
  ...extra,
});
const bundle = (...resources: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });
const med = (id: string) => ({ resourceType: 'Medication', id, code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1547545' }] } });

describe('medicationReadPlan (pure)', () => {
  it('reads relative and same-server references not in the data, once each; skips what cannot or must not be read', () => {
    const resources = [
      bundle(
        request('Medication/a'),
        request('Medication/a/_history/2'), // same id: one read
        request(`${BASE}/Medication/b`), // same server, absolute
        request('https://other.example.org/fhir/Medication/c'), // another server: never read
        request('Medication/present'),
        request('#inline', { contained: [med('inline')] }), // contained: resolved
        request('#missing'), // contained but absent: cannot be read
        request('urn:uuid:0b5d7c1e-0000-4000-8000-000000000001'), // no such Bundle entry
        request('Medication?code=x'), // not a literal reference
      ),
      bundle(med('present')),
      { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:0b5d7c1e-0000-4000-8000-000000000002', resource: med('u') }] },
      request('urn:uuid:0b5d7c1e-0000-4000-8000-000000000002'), // resolved by fullUrl
    ];
    expect(medicationReadPlan(resources, BASE, 20)).toEqual({ reads: ['Medication/a', 'Medication/b'], skipped: { 'other-server': 1, 'not-readable': 3 } });
    expect(medicationReadPlan(resources, `${BASE}/`, 1)).toEqual({ reads: ['Medication/a'], skipped: { 'other-server': 1, 'not-readable': 3, 'over-limit': 1 } });
    expect(medicationReadPlan(resources, undefined, 20).skipped).toEqual({ 'no-fhir-server': 3, 'not-readable': 3 });
  });
});

const opts = (extra: Partial<ResolveOptions> = {}): ResolveOptions => ({
  onOperationOutcome: 'note',
  deadlineMs: 2_000,
  maxMedicationReads: 20,
  fetch: { timeoutMs: 300, maxPages: 2, maxResponseBytes: 64 * 1024 },
  ...extra,
});
const templates = { medicationRequests: 'MedicationRequest?patient=Patient/{{context.patientId}}' };
const context = { patientId: 'p1', userId: 'Practitioner/1' };

describe('resolveData reads the Medications the data lacks', () => {
  it('prefetch mode with a fhirServer: parallel reads with the token, results added, one issue for the rest', async () => {
    const scope = nock(ORIGIN, { reqheaders: { authorization: 'Bearer tok' } })
      .get('/r4/Medication/a')
      .reply(200, med('a'))
      .get('/r4/Medication/gone')
      .reply(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] })
      .get('/r4/Medication/slow')
      .delay(1_000)
      .reply(200, med('slow'));
    const prefetch = { medicationRequests: bundle(request('Medication/a'), request('Medication/gone'), request('Medication/slow'), request('https://other.example.org/Medication/x')) };
    const data = await resolveData({ templates, prefetch, context, fhirServer: BASE, accessToken: 'tok' }, opts());
    expect(scope.isDone()).toBe(true);
    expect(data.resources).toContainEqual(med('a'));
    expect(data.sources).toEqual({ medicationRequests: 'prefetch' });
    expect(data.medications).toEqual({ read: 1, unresolved: { 'other-server': 1, 'not-found': 1, timeout: 1 } });
    expect(data.issues.map(withText)).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'medication-reference-unresolved', message: expect.stringMatching(/^3 medication reference\(s\) could not be resolved/) }),
    ]);
    expect(JSON.stringify(data.issues)).not.toMatch(/tok|Medication\/gone/);
  });

  it('fetch mode: the searches first, then the Medications, all under one deadline', async () => {
    nock(ORIGIN)
      .get('/r4/MedicationRequest')
      .query(true)
      .reply(200, bundle(request('Medication/a')))
      .get('/r4/Medication/a')
      .reply(200, med('a'));
    const data = await resolveData({ templates, prefetch: undefined, context, fhirServer: BASE }, opts());
    expect(data.sources).toEqual({ medicationRequests: 'fetched' });
    expect(data.resources).toContainEqual(med('a'));
    expect(data.issues).toEqual([]);
  });

  it('over the bound, no fhirServer, a fhirServer not allowed, a non-Medication answer: reported, never an error', async () => {
    const many = bundle(...['m1', 'm2', 'm3'].map((id) => request(`Medication/${id}`)));
    nock(ORIGIN).get('/r4/Medication/m1').reply(200, med('m1')).get('/r4/Medication/m2').reply(200, { resourceType: 'Patient', id: 'm2' });
    const bounded = await resolveData({ templates, prefetch: { medicationRequests: many }, context, fhirServer: BASE }, opts({ maxMedicationReads: 2 }));
    expect(bounded.medications).toEqual({ read: 1, unresolved: { 'over-limit': 1, failed: 1 } });
    expect(issueText(bounded.issues[0]!)).toMatch(/1 over the read limit \(2\)/);

    const none = await resolveData({ templates, prefetch: { medicationRequests: many }, context }, opts());
    expect(none.medications?.unresolved).toEqual({ 'no-fhir-server': 3 });

    const refused = await resolveData(
      { templates, prefetch: { medicationRequests: many }, context, fhirServer: 'https://evil.example.net/fhir' },
      opts({ checkFhirServer: () => 'not on the allowlist' }),
    );
    expect(refused.medications?.unresolved).toEqual({ 'fhir-server-not-allowed': 3 });
    expect(refused.issues).toHaveLength(1);
  });

  it('nothing to read: no request, no issue', async () => {
    const data = await resolveData({ templates, prefetch: { medicationRequests: bundle(request('Medication/a'), med('a')) }, context, fhirServer: BASE }, opts());
    expect(data.medications).toBeUndefined();
    expect(data.issues).toEqual([]);
  });
});
