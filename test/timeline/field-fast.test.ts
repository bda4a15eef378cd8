/**
 * `fieldFast` (plain TypeScript for the top-level choice fields of Condition, Medication* and Procedure) must return
 * exactly what the compiled FHIRPath `field` returns, for every shape: generated resources carry random subsets of
 * the field's `<name><Type>` keys (and `_` primitive extensions) with messy values. The timeline-level equality of
 * the two paths is in differential*.test.ts (the reference builder reads every field through FHIRPath).
 */
import fc from 'fast-check';
import { field, fieldFast, type FieldName } from '../../src/timeline/fhirpath';
import type { DataIssue } from '../../src/timeline/types';
import * as r4 from 'fhirpath/fhir-context/r4';

const FIELDS: Array<[FieldName, string, string]> = [
  ['conditionOnset', 'Condition', 'onset'],
  ['conditionAbatement', 'Condition', 'abatement'],
  ['administrationMedication', 'MedicationAdministration', 'medication'],
  ['administrationEffective', 'MedicationAdministration', 'effective'],
  ['requestMedication', 'MedicationRequest', 'medication'],
  ['statementMedication', 'MedicationStatement', 'medication'],
  ['statementEffective', 'MedicationStatement', 'effective'],
  ['procedurePerformed', 'Procedure', 'performed'],
];

const model = r4 as unknown as { choiceTypePaths: Record<string, string[]> };

const messyValue = fc.oneof(
  fc.constantFrom('2026-03-01', '2026-03-01T08:00:00Z', 'x', '', true, false, 0, 7, -0, 2.5, 1e300, null),
  fc.record({ value: fc.oneof(fc.integer(), fc.double()), unit: fc.constantFrom('a', 'mg') }, { requiredKeys: [] }),
  fc.record({ start: fc.constantFrom('2026-03-01', 'bad'), end: fc.constantFrom('2026-03-02') }, { requiredKeys: [] }),
  fc.record({ coding: fc.array(fc.record({ system: fc.constantFrom('http://www.nlm.nih.gov/research/umls/rxnorm'), code: fc.constantFrom('1', '2') }), { maxLength: 2 }), text: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }),
  fc.record({ reference: fc.constantFrom('Medication/m1', '#med', 'urn:uuid:1'), display: fc.string({ maxLength: 4 }) }, { requiredKeys: [] }),
  fc.constant({ resourceType: 'Medication', id: 'm1' }),
  fc.array(fc.constantFrom('2026-03-01', 'x'), { maxLength: 2 }),
  fc.anything({ maxDepth: 1 }),
);
const primitiveExtension = fc.oneof(fc.constant({ extension: [{ url: 'http://example.org/x', valueString: 'y' }] }), fc.constant(null), fc.anything({ maxDepth: 0 }));

function resourceArb(type: string, name: string): fc.Arbitrary<Record<string, unknown>> {
  const suffixes = model.choiceTypePaths[`${type}.${name}`] ?? [];
  const keyArb = fc.constantFrom(...suffixes.flatMap((t) => [`${name}${t}`, `_${name}${t}`]));
  return fc
    .tuple(
      fc.array(fc.tuple(keyArb, messyValue, primitiveExtension), { maxLength: 3 }),
      fc.constantFrom(type, type, type, 'Observation', undefined),
    )
    .map(([pairs, resourceType]) => {
      const r: Record<string, unknown> = resourceType === undefined ? {} : { resourceType };
      for (const [k, v, ext] of pairs) r[k] = k.startsWith('_') ? ext : v;
      return r;
    });
}

describe('fieldFast equals field (FHIRPath)', () => {
  it.each(FIELDS)('%s: the model knows %s.%s as a choice field', (_name, type, name) => {
    expect((model.choiceTypePaths[`${type}.${name}`] ?? []).length).toBeGreaterThan(1);
  });

  it.each(FIELDS)('%s on generated %s resources', (fieldName, type, name) => {
    const a: DataIssue[] = [];
    const b: DataIssue[] = [];
    fc.assert(
      fc.property(resourceArb(type, name), (resource) => {
        expect(fieldFast(fieldName, resource, a, 's')).toStrictEqual(field(fieldName, resource, b, 's'));
      }),
      { numRuns: 1500 },
    );
    expect(a).toStrictEqual(b);
  });

  it('returns the typed node for the common shapes', () => {
    // A plain dateTime and a CodeableConcept come back as the node FHIRPath would give, typed from the R4 model.
    expect(fieldFast('conditionOnset', { resourceType: 'Condition', onsetDateTime: '2026-03-01' }, [], 's')).toStrictEqual([
      { type: 'dateTime', value: '2026-03-01', parentIndex: undefined },
    ]);
    const concept = { text: 'pembrolizumab' };
    expect(fieldFast('requestMedication', { resourceType: 'MedicationRequest', medicationCodeableConcept: concept }, [], 's')).toStrictEqual([
      { type: 'CodeableConcept', value: concept, parentIndex: undefined },
    ]);
  });
});
