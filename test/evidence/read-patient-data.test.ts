/**
 * The page reads what the service reads: the query list, then every `Medication/{id}` a medicationReference needs
 * (the same plan as the service, src/fhir/medication-refs.ts), reporting what stays unresolved with the service's
 * data issue. Without the read a medicationReference-only pembrolizumab gives a card but "no trigger therapy" on
 * the page.
 */
import { loadEvidenceContent } from '../../src/evidence/content';
import { pageConfig } from '../../src/evidence/page';
import { readPatientData, type FhirReader } from '../../src/evidence/read-patient-data';
import { defaultKnowledge } from '../../src/knowledge';
import { loadCardContent } from '../../src/render/content';
import { issueText, withText } from '../support/issue-text';

type J = Record<string, unknown>;
const BASE = 'https://ehr.example.org/fhir';
const queries = { medications: 'MedicationRequest?patient={{context.patientId}}' };
const config = (max?: number) =>
  pageConfig({ knowledge: defaultKnowledge, cards: loadCardContent(), evidence: loadEvidenceContent(), queries, maxPages: 5, ...(max !== undefined ? { maxMedicationReads: max } : {}), smart: { clientId: 'c', scope: 'launch' } });

const order = (id: string, ref: string): J => ({ resourceType: 'MedicationRequest', id, status: 'active', intent: 'order', subject: { reference: 'Patient/p1' }, medicationReference: { reference: ref } });
const pembro: J = { resourceType: 'Medication', id: 'm-pembro', code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1547545' }] } };

/** A fhirclient Client stand-in: answers by relative URL, records every request. */
function fakeClient(answers: Record<string, unknown>): { client: FhirReader; asked: string[] } {
  const asked: string[] = [];
  const client = {
    serverUrl: BASE,
    request: async (url: string) => {
      asked.push(url);
      const a = answers[url];
      if (a === undefined) throw Object.assign(new Error('Not Found'), { status: 404 });
      return a;
    },
  };
  return { client, asked };
}

const bundle = (...resources: J[]): J => ({ resourceType: 'Bundle', type: 'searchset', entry: resources.map((resource) => ({ resource })) });

it('reads the Medication a medicationReference needs, once, and adds it to the data', async () => {
  const { client, asked } = fakeClient({ 'MedicationRequest?patient=p1': bundle(order('a', 'Medication/m-pembro'), order('b', 'Medication/m-pembro')), 'Medication/m-pembro': pembro });
  const { resources, issues } = await readPatientData(client, config(), 'p1');
  expect(asked).toEqual(['MedicationRequest?patient=p1', 'Medication/m-pembro']);
  expect(resources).toContainEqual(pembro);
  expect(issues).toEqual([]);
});

it('a Medication in the data or contained is not read; another server’s is never read; a 404 is a counted data issue', async () => {
  const contained = { ...order('c', '#m1'), contained: [{ resourceType: 'Medication', id: 'm1', code: { text: 'Keytruda' } }] };
  const { client, asked } = fakeClient({
    'MedicationRequest?patient=p1': bundle(order('a', 'Medication/m-pembro'), pembro, contained, order('d', 'https://other.example.org/fhir/Medication/x'), order('e', 'Medication/gone')),
  });
  const { issues } = await readPatientData(client, config(), 'p1');
  expect(asked).toEqual(['MedicationRequest?patient=p1', 'Medication/gone']);
  expect(issues.map(withText)).toEqual([
    expect.objectContaining({ code: 'medication-reference-unresolved', message: expect.stringMatching(/^2 medication reference\(s\) could not be resolved.*1 on another server.*1 not found on the FHIR server/) }),
  ]);
});

it('reads at most the service’s maxMedicationReads', async () => {
  const { client, asked } = fakeClient({ 'MedicationRequest?patient=p1': bundle(order('a', 'Medication/m1'), order('b', 'Medication/m2')), 'Medication/m1': { ...pembro, id: 'm1' } });
  const { issues } = await readPatientData(client, config(1), 'p1');
  expect(asked).toEqual(['MedicationRequest?patient=p1', 'Medication/m1']);
  expect(issueText(issues[0]!)).toContain('1 over the read limit (1)');
});

describe('paging: a query the page cannot read whole is a data issue, as in the service', () => {
  const page = (next?: string): J => ({ ...bundle(), ...(next ? { link: [{ relation: 'next', url: next }] } : {}) });

  it.each([
    ['the page cap', { 'MedicationRequest?patient=p1': page('p2'), p2: page('p3'), p3: page('p4'), p4: page('p5'), p5: page('p6') }, 5, 'page cap (5) reached'],
    ['a next link on another origin', { 'MedicationRequest?patient=p1': page('https://elsewhere.example.org/fhir/p2') }, 1, 'next link points to another origin; not followed'],
  ])('%s', async (_label, answers, pages, cause) => {
    const { client, asked } = fakeClient(answers);
    const { issues } = await readPatientData(client, config(), 'p1');
    expect(asked).toHaveLength(pages);
    expect(issues.map(withText)).toEqual([
      expect.objectContaining({ code: 'fetch-truncated', message: `Only the first ${pages} page(s) of "medications" were read (${cause}); older data may be missing.` }),
    ]);
  });

  it('a failed query says what the server said', async () => {
    const { client } = fakeClient({});
    const { issues } = await readPatientData(client, config(), 'p1');
    expect(issues.map(issueText)).toEqual(['The FHIR server could not provide "medications" (HTTP 404); that data was not evaluated.']);
  });
});
