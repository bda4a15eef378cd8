/**
 * Another patient's data never reaches the assessment, in both EHR data paths: the EHR's prefetch carries
 * foreign Observations, or the FHIR server's patient search returns them (a loopback proxy in front of Medplum
 * adds them, as a misbehaving server or interface engine would). The card is the one the patient's own data
 * gives, and the excluded resources are counted on it.
 */
import { startInjectingProxy, type InjectingProxy } from '../support/fhir-proxy';
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, detailOf, type Json } from './chart';

let h: BothPaths;
let proxy: InjectingProxy;

beforeAll(async () => {
  h = await startBothPaths();
  proxy = await startInjectingProxy(h.fhir.baseUrl, CODE.ferritin);
});
afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

/** A ferritin of 90,000 ng/mL (the patient's own peak is 24,500) with the given subject. */
function foreignFerritin(c: Chart, subject: unknown): Json {
  const o = c.lab(CODE.ferritin, 90000, 'ng/mL', '2026-03-15T10:00:00Z');
  if (subject === undefined) delete o.subject;
  else o.subject = subject;
  return o;
}

it('foreign, malformed and subject-less resources are excluded and counted; the card is the patient’s own', async () => {
  const c = new Chart('scope-a');
  const chart = c.iecHs();
  const foreign = [
    { reference: 'Patient/scope-b' },
    { reference: 'Patient/scope-a/' },
    { reference: 'patient/scope-a' },
    { reference: 'Patient/scope-a?x=y' },
    { reference: '#p' },
    { reference: 'urn:uuid:0f1e2d3c-0000-4000-8000-000000000000' },
    { identifier: { system: 'urn:mrn', value: 'scope-a' } },
    'Patient/scope-a',
    [{ reference: 'Patient/scope-a' }],
    undefined,
  ].map((s) => foreignFerritin(c, s));

  const own = await h.prefetch(chart, { patientId: 'scope-a' });
  expect(own.card?.indicator).toBe('warning');

  const prefetch = await h.prefetch([...chart, ...foreign], { patientId: 'scope-a' });
  await h.seed(chart);
  proxy.inject(foreign);
  const fetch = await h.fetch(chart, { patientId: 'scope-a', fhirServer: proxy.baseUrl });
  proxy.inject([]);

  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.summary).toBe(own.card?.summary);
    expect(r.extension?.criteria).toEqual(own.extension?.criteria);
    const detail = detailOf(r).replace(/\\/g, ''); // Markdown escapes off
    expect(detail).not.toContain('90,000');
    expect(detail).toContain('wrong-patient — 1 resource(s) about another patient or a non-patient subject not used');
    expect(detail).toContain('subject-unverifiable — 8 resource(s) whose subject is no readable reference to a record not used');
    expect(detail).toContain('subject-missing — 1 resource(s) without a subject not used');
  }
});
