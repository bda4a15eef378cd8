/**
 * A finding Observation (e.g. a site-mapped EBV PCR as an infection) is positive on "a positive interpretation or a
 * detected result": Observation.interpretation (HL7 v3 ObservationInterpretation POS/DET vs NEG/ND, FHIR R4
 * observation-interpretation), a configured result code (findings.positiveValues / negativeValues: a site adds its
 * lab's "Detected" concept), or a qualitative valueString (findings.positiveTexts / negativeTexts [design]).
 */
import { defaultKnowledge, type Knowledge } from '../../src/knowledge';
import { design } from '../../src/knowledge/provenance';
import { createTimelineBuilder } from '../../src/timeline';
import { patient, SNOMED } from './fixtures';

const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const site: Knowledge = {
  ...defaultKnowledge,
  findings: {
    ...defaultKnowledge.findings,
    codes: [...defaultKnowledge.findings.codes, { system: 'urn:site:lab', code: 'EBV-PCR', kinds: ['infection'], detail: 'ebv', ...design('site lab codes') }],
    positiveValues: [...defaultKnowledge.findings.positiveValues, { system: SNOMED, code: '260373001', ...design('site lab codes') }],
  },
};
const build = createTimelineBuilder(site);
const pcr = (value: Record<string, unknown>) => ({
  resourceType: 'Observation', id: 'pcr', status: 'final', subject: { reference: 'Patient/p1' },
  code: { coding: [{ system: 'urn:site:lab', code: 'EBV-PCR' }] }, effectiveDateTime: '2026-03-13T08:00:00Z', ...value,
});
const present = (value: Record<string, unknown>) => {
  const t = build([patient, pcr(value)], { patientId: 'p1' });
  return t.findings.length ? t.findings[0]!.present : t.issues.map((i) => i.code).join(',');
};

it.each([
  ['a quantity with interpretation POS', { valueQuantity: { value: 250000, unit: '[IU]/mL' }, interpretation: [{ coding: [{ system: V3, code: 'POS' }] }] }, true],
  ['a quantity with interpretation ND', { valueQuantity: { value: 0, unit: '[IU]/mL' }, interpretation: [{ coding: [{ system: V3, code: 'ND' }] }] }, false],
  ['a site-configured "Detected" code', { valueCodeableConcept: { coding: [{ system: SNOMED, code: '260373001', display: 'Detected' }] } }, true],
  ['valueString "DETECTED"', { valueString: 'DETECTED' }, true],
  ['valueString "Not detected"', { valueString: ' Not detected ' }, false],
  ['valueString that says neither', { valueString: 'see comment' }, 'finding-value-uninterpretable'],
  ['a quantity without interpretation', { valueQuantity: { value: 250000, unit: '[IU]/mL' } }, 'finding-value-uninterpretable'],
] as const)('%s', (_l, value, expected) => {
  expect(present(value)).toBe(expected);
});
