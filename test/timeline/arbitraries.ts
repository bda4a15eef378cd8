/** fast-check arbitraries of deliberately messy Observations (differential tests of the fast path). */
import fc from 'fast-check';
import { ICD, LOINC, SNOMED, UCUM } from './fixtures';

// ---------------------------------------------------------------------------------------------------------
// Arbitraries: deliberately messy Observations

const analyteCodes = ['2276-4', '20567-4', '1742-6', '1920-8', '777-3', '26515-7', '718-7', '751-8', '6690-2', '3255-7', '14927-8', '2571-8', '1975-2', '1968-7', '8310-5', '2532-0', '1988-5', '26881-3', '6301-6', '2160-0'];
const otherCodes = ['2951-2', '8867-4', '58410-2', '85354-9', '8480-6', '787-2'];
const coding = fc.oneof(
  fc.record({ system: fc.constant(LOINC), code: fc.constantFrom(...analyteCodes, ...otherCodes) }, { requiredKeys: ['system', 'code'] }),
  fc.record({ system: fc.constant(LOINC), code: fc.constantFrom(...analyteCodes), display: fc.constantFrom('Ferritin', ' x ', '') }),
  fc.record({ system: fc.constantFrom(SNOMED, ICD), code: fc.constantFrom('16294009', '80515008', 'D76.1', 'D89.832', '10828004', '260385009') }),
  fc.record({ system: fc.constantFrom(LOINC, 'urn:other', ' http://loinc.org '), code: fc.oneof(fc.constantFrom(...analyteCodes), fc.string({ maxLength: 4 })) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 1 }),
);
export const concept = fc.oneof(
  { weight: 6, arbitrary: fc.record({ coding: fc.array(coding, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ coding: fc.anything({ maxDepth: 1 }), text: fc.string({ maxLength: 5 }) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);
const units = ['ng/mL', 'ug/L', 'µg/L', 'μg/L', 'g/L', 'mg/dL', 'g/dl', 'mmol/L', 'mmol/l', 'umol/L', 'µmol/L', 'U/L', 'IU/L', 'K/uL', '10*3/uL', 'x10^9/L', '10*9/L', '/uL', 'cells/µL', '°F', '[degF]', 'Cel', '°C', 'F', '{INR}', 's', '%', 'pg/mL', 'U/mL', 'mg/L', 'fL', 'bogus', ' ng/mL ', ''];
const numberish = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 3, arbitrary: fc.integer({ min: -10, max: 100000 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0, 1e21, 0.1 + 0.2, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity) },
  { weight: 1, arbitrary: fc.constantFrom('12.5', '>40000', '1,234', 'abc', '', ' 7 ') },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);
const quantity = fc.record(
  {
    value: numberish,
    unit: fc.oneof(fc.constantFrom(...units), fc.anything({ maxDepth: 0 })),
    system: fc.oneof(fc.constant(UCUM), fc.constantFrom('urn:x', ' http://unitsofmeasure.org')),
    code: fc.oneof(fc.constantFrom(...units), fc.anything({ maxDepth: 0 })),
    comparator: fc.oneof(fc.constantFrom('<', '>', '<=', '>=', '≤', '≥', '~', 'ad', ''), fc.anything({ maxDepth: 0 })),
  },
  { requiredKeys: [] },
);
const primitiveExtension = fc.constant({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] });
const numericStrings = fc.constantFrom('>40000 ng/mL', '<0.5', '≤ 3', '1,234', '1,5', '12.5 mg/dL', '.5', '+3', 'negative', '', '  42  ', '1 234', '>= 100 g/L');
/** value[x] keys (a record of them: several may be present at once, and choice order decides). */
export const valueFields = (prefix = 'value') =>
  fc.record(
    {
      [`${prefix}Quantity`]: fc.oneof({ weight: 8, arbitrary: quantity }, fc.array(quantity, { maxLength: 2 }), fc.constant(null), fc.anything({ maxDepth: 1 })),
      [`_${prefix}Quantity`]: primitiveExtension,
      [`${prefix}String`]: fc.oneof({ weight: 4, arbitrary: numericStrings }, fc.string({ maxLength: 6 }), fc.anything({ maxDepth: 1 })),
      [`_${prefix}String`]: fc.oneof(primitiveExtension, fc.constant(null)),
      [`${prefix}Integer`]: fc.oneof(fc.integer(), fc.constantFrom(-0, 2.5, 1e300), fc.anything({ maxDepth: 0 })),
      [`${prefix}Decimal`]: fc.double(),
      [`${prefix}Boolean`]: fc.oneof(fc.boolean(), fc.anything({ maxDepth: 0 })),
      [`${prefix}CodeableConcept`]: concept,
      [`${prefix}Range`]: fc.record({ low: quantity, high: quantity }, { requiredKeys: [] }),
      [`${prefix}DateTime`]: fc.constantFrom('2026-03-01', 'x'),
      [`${prefix}Period`]: fc.record({ start: fc.constantFrom('2026-03-01T00:00:00Z') }),
      [`${prefix}Time`]: fc.constantFrom('10:00:00'),
    },
    { requiredKeys: [] },
  ).map((r) => {
    // Keep most value[x] sets small: usually one key, sometimes several.
    const keys = Object.keys(r);
    return keys.length > 2 ? Object.fromEntries(keys.filter((_, i) => i % 3 === 0).map((k) => [k, r[k]])) : r;
  });
const dateTimes = fc.constantFrom(
  '2026-03-01T08:00:00Z',
  '2026-03-01T09:00:00+01:00',
  '2026-03-01T08:00:00.000Z',
  '2026-03-01T08:00:00.5Z',
  '2026-03-01',
  '2026-03',
  '2026',
  '2026-02-30T08:00:00Z',
  '2026-03-01T24:00:00Z',
  '2026-03-01T08:00',
  'yesterday',
  '',
);
const effectiveFields = fc.record(
  {
    effectiveDateTime: fc.oneof({ weight: 6, arbitrary: dateTimes }, fc.array(dateTimes, { maxLength: 2 }), fc.constant(null), fc.anything({ maxDepth: 1 })),
    _effectiveDateTime: primitiveExtension,
    effectivePeriod: fc.oneof(fc.record({ start: dateTimes, end: dateTimes }, { requiredKeys: [] }), fc.anything({ maxDepth: 1 })),
    effectiveInstant: fc.oneof(dateTimes, fc.anything({ maxDepth: 0 })),
    effectiveTiming: fc.record({ event: fc.array(dateTimes, { maxLength: 2 }) }),
    issued: fc.oneof(dateTimes, fc.anything({ maxDepth: 0 })),
  },
  { requiredKeys: [] },
).map((r: Record<string, unknown>) => {
  const keys = Object.keys(r);
  return keys.length > 2 ? Object.fromEntries(keys.filter((_, i) => i % 2 === 0).map((k) => [k, r[k]])) : r;
});
const range = fc.record({ low: quantity, high: quantity, type: concept, text: fc.string({ maxLength: 3 }) }, { requiredKeys: [] });
const component = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.record({ code: concept, referenceRange: fc.array(range, { maxLength: 2 }), interpretation: fc.array(concept, { maxLength: 2 }), dataAbsentReason: concept }, { requiredKeys: ['code'] }), valueFields()).map(([a, b]) => ({ ...a, ...b })) },
  { weight: 1, arbitrary: fc.constant({ resourceType: 'Observation', code: { coding: [{ system: LOINC, code: '777-3' }] }, valueQuantity: { value: 5, unit: 'K/uL' }, value: { value: 1 } }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);
export const observation = fc
  .tuple(
    fc.record(
      {
        id: fc.oneof(fc.constantFrom('o1', 'o2', 'o3', 'o4', 'o5', 'o6'), fc.string({ maxLength: 4 })),
        status: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('final', 'amended', 'corrected', 'preliminary') }, fc.constantFrom('entered-in-error', 'cancelled', 'registered', ' final '), fc.anything({ maxDepth: 0 })),
        code: concept,
        subject: fc.oneof({ weight: 8, arbitrary: fc.constant({ reference: 'Patient/p1' }) }, fc.constant({ reference: 'Patient/p2' }), fc.anything({ maxDepth: 1 })),
        referenceRange: fc.oneof(fc.array(range, { maxLength: 2 }), fc.anything({ maxDepth: 1 })),
        interpretation: fc.oneof(fc.array(concept, { maxLength: 2 }), fc.anything({ maxDepth: 1 })),
        dataAbsentReason: concept,
        component: fc.oneof({ weight: 4, arbitrary: fc.array(component, { maxLength: 4 }) }, fc.anything({ maxDepth: 1 })),
        meta: fc.record({ lastUpdated: dateTimes, versionId: fc.constantFrom('1', '2', 'x') }, { requiredKeys: [] }),
      },
      { requiredKeys: ['id', 'status', 'code'] },
    ),
    valueFields(),
    effectiveFields,
  )
  .map(([base, value, effective]) => ({ resourceType: 'Observation', ...base, ...value, ...effective }));

