/**
 * Identifying the drug of a medication resource (match by code first, by name as a fallback):
 * - code or name is decided per concept (the Medication's code, each ingredient), so a coded ingredient never
 *   hides a name-only co-ingredient (nivolumab + relatlimab, Opdualag);
 * - a medicationReference that cannot be resolved is reported (`medication-unresolved`) whenever nothing
 *   identified the drug, also when its display names no screened drug: an unidentified drug is never silent.
 */
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder } from '../../src/timeline';
import { patient, RXNORM } from './fixtures';
import { withText } from '../support/issue-text';

const build = createTimelineBuilder(defaultKnowledge);
const run = (...resources: unknown[]) => build([patient, ...resources], { patientId: 'p1' });
const subject = { reference: 'Patient/p1' };
const given = (id: string, medication: Record<string, unknown>) => ({ resourceType: 'MedicationAdministration', id, status: 'completed', subject, ...medication, effectiveDateTime: '2026-03-01T10:00:00Z' });
const ingredient = (code: string, display: string) => ({ itemCodeableConcept: { coding: [{ system: RXNORM, code, display }] } });

describe('code or name per concept', () => {
  it('a coded nivolumab ingredient and an unlisted-code relatlimab ingredient: both agents, each by what matched it', () => {
    const med = { resourceType: 'Medication', id: 'opdualag', code: { text: 'Opdualag 480 mg/160 mg' }, ingredient: [ingredient('1597876', 'nivolumab'), ingredient('9999999', 'relatlimab')] };
    const t = run(med, given('ma', { medicationReference: { reference: 'Medication/opdualag' } }));
    expect(t.exposures.map((e) => [e.agent, e.matchedBy])).toEqual([['nivolumab', 'code'], ['relatlimab', 'name']]);
  });

  it('within one concept the code wins over its text (coded pembrolizumab whose text says nivolumab)', () => {
    const t = run(given('ma', { medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1547545' }], text: 'nivolumab' } }));
    expect(t.exposures.map((e) => [e.agent, e.matchedBy])).toEqual([['pembrolizumab', 'code']]);
  });

  it('a class-level name ("CAR T") counts only when no specific agent matched', () => {
    const t = run(given('ma', { medicationCodeableConcept: { text: 'CAR T cell infusion: Kymriah' } }));
    expect(t.exposures.map((e) => e.agent)).toEqual(['tisagenlecleucel']);
  });
});

describe('an unresolvable medicationReference is never silent', () => {
  it.each([
    ['no display', { reference: 'Medication/med-991' }],
    ['a display that names no drug', { reference: 'Medication/med-991', display: 'IV infusion 200 mg' }],
  ])('%s: medication-unresolved', (_l, reference) => {
    const t = run(given('ma', { medicationReference: reference }));
    expect(t.exposures).toEqual([]);
    expect(t.issues.map(withText)).toEqual([expect.objectContaining({ code: 'medication-unresolved', source: 'MedicationAdministration/ma', message: expect.stringContaining('Medication/med-991') })]);
  });

  it('a display naming a screened drug identifies it: an exposure, no issue', () => {
    const t = run(given('ma', { medicationReference: { reference: 'Medication/med-991', display: 'Keytruda 200 mg' } }));
    expect(t.exposures.map((e) => e.agent)).toEqual(['pembrolizumab']);
    expect(t.issues).toEqual([]);
  });
});
