import { defaultKnowledge, knowledgeSchema, type Knowledge } from '../../src/knowledge';
import { buildTimeline, createTimelineBuilder, type PatientTimeline } from '../../src/timeline';
import { LOINC, obs, patient, qty, UCUM } from './fixtures';
import type { AnalyteId } from '../../src/vocabulary';

const build = createTimelineBuilder(defaultKnowledge);
const one = (resource: unknown): PatientTimeline => build([patient, resource], { patientId: 'p1' });

/** A site that has configured its sCD25 code (no default code exists, §7 "look up before coding"). */
const siteKnowledge: Knowledge = (() => {
  const k = structuredClone(defaultKnowledge);
  k.analytes.analytes.scd25.codes.push({ system: 'http://lab.example.org/codes', code: 'SIL2R' });
  k.analytes.analytes.ferritin.codes.push({ system: 'http://lab.example.org/codes', code: 'FERR' });
  return knowledgeSchema.parse(k);
})();

describe('unit conversion to the canonical unit (table)', () => {
  // [analyte, loinc, value[x] fields, expected value, expected unit]
  const rows: [string, AnalyteId, string, Record<string, unknown>, number, string][] = [
    ['fibrinogen in g/L (UCUM code)', 'fibrinogen', '3255-7', qty(1.5, 'g/L', 'g/L'), 150, 'mg/dL'],
    ['fibrinogen in mg/dL', 'fibrinogen', '3255-7', qty(150, 'mg/dL', 'mg/dL'), 150, 'mg/dL'],
    ['fibrinogen "g/l" as text only', 'fibrinogen', '3255-7', qty(1.2, 'g/l'), 120, 'mg/dL'],
    ['triglycerides mmol/L (molar LOINC, MW 885.7)', 'triglycerides', '14927-8', qty(3, 'mmol/L', 'mmol/L'), 265.71, 'mg/dL'],
    ['triglycerides "mmol/l"', 'triglycerides', '2571-8', qty(1.5, 'mmol/l'), 132.855, 'mg/dL'],
    ['bilirubin µmol/L ÷ 17.1', 'bilirubin-total', '1975-2', qty(34.2, 'µmol/L'), 2, 'mg/dL'],
    ['direct bilirubin umol/L', 'bilirubin-direct', '1968-7', qty(5.13, 'umol/L', 'umol/L'), 0.3, 'mg/dL'],
    ['bilirubin mmol/L via umol/L', 'bilirubin-total', '1975-2', qty(0.0171, 'mmol/L', 'mmol/L'), 1, 'mg/dL'],
    ['temperature °F', 'temperature', '8310-5', qty(101.3, '°F'), 38.5, 'Cel'],
    ['temperature [degF] UCUM', 'temperature', '8310-5', qty(102.2, 'degF', '[degF]'), 39, 'Cel'],
    ['temperature bare "F" (analyte alias)', 'temperature', '8310-5', qty(100.4, 'F'), 38, 'Cel'],
    ['temperature °C', 'temperature', '8310-5', qty(38.4, '°C'), 38.4, 'Cel'],
    ['platelets K/uL (K is kelvin in UCUM: aliased)', 'platelets', '777-3', qty(85, 'K/uL'), 85, '10*9/L'],
    ['platelets cells per µL', 'platelets', '26515-7', qty(150000, '/uL', '/uL'), 150, '10*9/L'],
    ['platelets x10^9/L', 'platelets', '777-3', qty(42, 'x10^9/L'), 42, '10*9/L'],
    ['platelets 10*3/uL', 'platelets', '777-3', qty(99, '10*3/uL', '10*3/uL'), 99, '10*9/L'],
    ['ANC cells/µL', 'anc', '751-8', qty(800, 'cells/µL'), 0.8, '10*9/L'],
    ['WBC 10^9/L', 'wbc', '6690-2', qty(2.1, '10^9/L'), 2.1, '10*9/L'],
    ['hemoglobin g/L', 'hemoglobin', '718-7', qty(85, 'g/L', 'g/L'), 8.5, 'g/dL'],
    ['hemoglobin g/dl', 'hemoglobin', '718-7', qty(9.2, 'g/dl'), 9.2, 'g/dL'],
    ['ferritin µg/L', 'ferritin', '2276-4', qty(2500, 'µg/L'), 2500, 'ng/mL'],
    ['ferritin ng/ml', 'ferritin', '20567-4', qty(500, 'ng/ml'), 500, 'ng/mL'],
    ['ALT IU/L', 'alt', '1742-6', qty(250, 'IU/L'), 250, 'U/L'],
    ['AST U/l', 'ast', '1920-8', qty(30, 'U/l'), 30, 'U/L'],
    ['CRP mg/dL → mg/L', 'crp', '1988-5', qty(5, 'mg/dL', 'mg/dL'), 50, 'mg/L'],
    ['IL-6 ng/L = pg/mL', 'il6', '26881-3', qty(75, 'ng/L', 'ng/L'), 75, 'pg/mL'],
    ['PT "sec"', 'pt', '5902-2', qty(14.2, 'sec'), 14.2, 's'],
    ['INR without unit (unitless analyte)', 'inr', '6301-6', qty(1.4), 1.4, '{INR}'],
    ['INR valueInteger', 'inr', '6301-6', { valueInteger: 2 }, 2, '{INR}'],
    ['D-dimer kept as reported (FEU)', 'd-dimer', '48065-7', qty(4.2, 'ug/mL FEU'), 4.2, 'ug/mL{FEU}'],
    ['creatinine mg/dL', 'creatinine', '2160-0', qty(1.1, 'mg/dL', 'mg/dL'), 1.1, 'mg/dL'],
  ];
  test.each(rows)('%s', (_label, analyte, loinc, value, expected, unit) => {
    const t = one(obs('o1', loinc, value));
    expect(t.notEvaluable).toEqual([]);
    expect(t.labs[analyte]).toHaveLength(1);
    expect(t.labs[analyte]?.[0]).toMatchObject({ value: expected, unit, source: 'Observation/o1' });
  });

  test('keeps what the resource said for provenance', () => {
    const v = one(obs('o1', '3255-7', qty(1.5, 'g/L', 'g/L'))).labs.fibrinogen?.[0];
    expect(v?.original).toEqual({ value: 1.5, unit: 'g/L' });
    expect(v?.code).toEqual({ system: LOINC, code: '3255-7', display: 'whatever the lab calls it' });
  });
});

describe('values that cannot be used are kept as not evaluable, with a reason (table)', () => {
  const rows: [string, Record<string, unknown>, string, Record<string, unknown>, string][] = [
    ['ferritin without unit', obs('o1', '2276-4', qty(1200)), 'ferritin', {}, 'no-unit'],
    ['unknown unit', obs('o1', '2276-4', qty(1200, 'bananas')), 'ferritin', {}, 'unit-unknown'],
    ['creatinine µmol/L (no factor in §7)', obs('o1', '2160-0', qty(120, 'umol/L', 'umol/L')), 'creatinine', {}, 'unit-not-convertible'],
    ['hemoglobin in mmol/L', obs('o1', '718-7', qty(5.6, 'mmol/L', 'mmol/L')), 'hemoglobin', {}, 'unit-not-convertible'],
    ['free text result', obs('o1', '2276-4', { valueString: 'hemolysed, see comment' }), 'ferritin', {}, 'not-numeric'],
    ['decimal comma is not guessed', obs('o1', '3255-7', { valueString: '1,5 g/L' }), 'fibrinogen', {}, 'not-numeric'],
    ['coded value', obs('o1', '2276-4', { valueCodeableConcept: { text: 'high' } }), 'ferritin', {}, 'not-numeric'],
    ['data absent', obs('o1', '2276-4', { dataAbsentReason: { coding: [{ code: 'error' }] } }), 'ferritin', {}, 'data-absent'],
    ['no value at all', obs('o1', '2276-4', {}), 'ferritin', {}, 'no-value'],
    ['unknown comparator', obs('o1', '2276-4', qty(5, 'ng/mL', 'ng/mL', { comparator: 'ad' })), 'ferritin', {}, 'not-numeric'],
    [
      'no usable time',
      { ...obs('o1', '2276-4', qty(700, 'ng/mL', 'ng/mL')), effectiveDateTime: 'yesterday' },
      'ferritin',
      {},
      'no-time',
    ],
  ];
  test.each(rows)('%s', (_label, resource, analyte, _x, reasonCode) => {
    const t = one(resource);
    expect(t.labs).toEqual({});
    expect(t.notEvaluable).toHaveLength(1);
    expect(t.notEvaluable[0]).toMatchObject({ analyte, reasonCode, source: 'Observation/o1' });
    expect(t.notEvaluable[0]?.reason.length).toBeGreaterThan(5);
  });

  test('sCD25 in pg/mL is refused with the assay-factor reason; U/mL is used', () => {
    const t = buildTimeline(
      [
        patient,
        { ...obs('s1', 'x', qty(5000, 'pg/mL', 'pg/mL')), code: { coding: [{ system: 'http://lab.example.org/codes', code: 'SIL2R' }] } },
        { ...obs('s2', 'x', qty(2400, 'U/mL', 'U/mL')), code: { coding: [{ system: 'http://lab.example.org/codes', code: 'SIL2R' }] } },
      ],
      siteKnowledge,
      { patientId: 'p1' },
    );
    expect(t.notEvaluable).toEqual([
      expect.objectContaining({ analyte: 'scd25', reasonCode: 'unit-refused', source: 'Observation/s1', original: { value: 5000, unit: 'pg/mL' } }),
    ]);
    expect(t.notEvaluable[0]?.reason).toMatch(/not convertible to U\/mL without an assay-specific factor/);
    expect(t.labs.scd25?.map((v) => v.value)).toEqual([2400]);
  });

  test('sCD25 has no default code: nothing is recognised without site configuration', () => {
    const t = one({ ...obs('s1', 'x', qty(5000, 'U/mL', 'U/mL')), code: { coding: [{ system: 'http://lab.example.org/codes', code: 'SIL2R' }] } });
    expect(t.labs).toEqual({});
    expect(t.notEvaluable).toEqual([]);
  });
});

describe('comparators and numeric strings', () => {
  // Ferritin needs a unit: strings carry one, or the Quantity does.
  const rows: [string, Record<string, unknown>, number, string | undefined][] = [
    ['">40000 ng/mL" string', { valueString: '>40000 ng/mL' }, 40000, '>'],
    ['"> 40000 ug/L" string with spaces', { valueString: '> 40000 ug/L' }, 40000, '>'],
    ['"1,234 ng/mL" thousands separator', { valueString: '1,234 ng/mL' }, 1234, undefined],
    ['"≥ 500 ng/ml"', { valueString: '≥ 500 ng/ml' }, 500, '>='],
    ['quantity comparator', qty(40000, 'ng/mL', 'ng/mL', { comparator: '>' }), 40000, '>'],
    ['quantity comparator <=', qty(15, 'ug/L', 'ug/L', { comparator: '<=' }), 15, '<='],
  ];
  test.each(rows)('%s', (_label, value, expected, comparator) => {
    const v = one(obs('o1', '2276-4', value)).labs.ferritin?.[0];
    expect(v?.value).toBe(expected);
    expect(v?.comparator).toBe(comparator);
  });

  test('a bare numeric string on a unitless analyte is evaluable; on ferritin it has no unit', () => {
    expect(one(obs('o1', '6301-6', { valueString: '<0.5' })).labs.inr?.[0]).toMatchObject({ value: 0.5, comparator: '<', unit: '{INR}' });
    expect(one(obs('o1', '2276-4', { valueString: '>40000' })).notEvaluable[0]).toMatchObject({
      reasonCode: 'no-unit',
      original: { value: '>40000' },
    });
  });
});

describe('status, time and code rules', () => {
  test('preliminary is used and flagged; entered-in-error and cancelled are dropped with an issue; registered not used', () => {
    const t = build(
      [
        patient,
        obs('pre', '2276-4', qty(900, 'ng/mL', 'ng/mL'), { status: 'preliminary' }),
        obs('eie', '2276-4', qty(90000, 'ng/mL', 'ng/mL'), { status: 'entered-in-error', effectiveDateTime: '2026-03-02' }),
        obs('can', '2276-4', qty(80000, 'ng/mL', 'ng/mL'), { status: 'cancelled', effectiveDateTime: '2026-03-03' }),
        obs('reg', '2276-4', {}, { status: 'registered', effectiveDateTime: '2026-03-04' }),
        obs('amd', '2276-4', qty(950, 'ng/mL', 'ng/mL'), { status: 'amended', effectiveDateTime: '2026-03-05' }),
      ],
      { patientId: 'p1' },
    );
    expect(t.labs.ferritin?.map((v) => [v.source, v.status])).toEqual([
      ['Observation/pre', 'preliminary'],
      ['Observation/amd', 'amended'],
    ]);
    expect(t.issues.map((i) => [i.code, i.source])).toEqual([
      ['cancelled-skipped', 'Observation/can'],
      ['entered-in-error-skipped', 'Observation/eie'],
      ['status-not-usable', 'Observation/reg'],
    ]);
  });

  test('time precedence: effectiveDateTime, effectivePeriod.start, effectiveInstant, else issued', () => {
    const base = { effectiveDateTime: undefined, issued: '2026-03-09T12:00:00Z' };
    const t = build(
      [
        obs('a', '2276-4', qty(1, 'ng/mL', 'ng/mL'), { issued: '2026-03-09T12:00:00Z' }),
        obs('b', '2276-4', qty(2, 'ng/mL', 'ng/mL'), { ...base, effectivePeriod: { start: '2026-02-01T06:00:00Z', end: '2026-02-01T07:00:00Z' } }),
        obs('c', '2276-4', qty(3, 'ng/mL', 'ng/mL'), { ...base, effectiveInstant: '2026-02-02T06:00:00.123Z' }),
        obs('d', '2276-4', qty(4, 'ng/mL', 'ng/mL'), base),
      ],
      { patientId: 'p1' },
    );
    expect(t.labs.ferritin?.map((v) => [v.source, v.time, v.timeSource])).toEqual([
      ['Observation/b', '2026-02-01T06:00:00Z', 'effectivePeriod.start'],
      ['Observation/c', '2026-02-02T06:00:00.123Z', 'effectiveInstant'],
      ['Observation/a', '2026-03-01T08:00:00Z', 'effectiveDateTime'],
      ['Observation/d', '2026-03-09T12:00:00Z', 'issued'],
    ]);
  });

  test('maps by system + code only, never by display; OID system alias and site codes work', () => {
    const t = buildTimeline(
      [
        { ...obs('disp', 'x', qty(1, 'ng/mL', 'ng/mL')), code: { text: 'Ferritin', coding: [{ display: 'Ferritin' }] } },
        { ...obs('wrongsys', 'x', qty(2, 'ng/mL', 'ng/mL')), code: { coding: [{ system: 'http://example.org', code: '2276-4' }] } },
        { ...obs('oid', 'x', qty(3, 'ng/mL', 'ng/mL')), code: { coding: [{ system: 'urn:oid:2.16.840.1.113883.6.1', code: '2276-4' }] } },
        { ...obs('site', 'x', qty(4, 'ng/mL', 'ng/mL')), code: { coding: [{ system: 'http://lab.example.org/codes', code: 'FERR' }] } },
      ],
      siteKnowledge,
    );
    expect(t.labs.ferritin?.map((v) => v.source)).toEqual(['Observation/oid', 'Observation/site']);
    expect(t.notEvaluable).toEqual([]);
  });
});

describe('reference ranges and interpretation', () => {
  test('lab range in another unit is converted; interpretation kept', () => {
    const v = one(
      obs('f', '3255-7', qty(1.2, 'g/L', 'g/L'), {
        referenceRange: [{ low: { value: 2, unit: 'g/L' }, high: { value: 4, unit: 'g/L', system: UCUM, code: 'g/L' } }],
        interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'L' }] }],
      }),
    ).labs.fibrinogen?.[0];
    expect(v?.referenceRange).toEqual({ low: 200, high: 400, unit: 'mg/dL', source: 'lab' });
    expect(v?.interpretation).toEqual(['L']);
  });

  test('range without units takes the value unit (µmol/L bilirubin)', () => {
    const v = one(obs('b', '1975-2', qty(51.3, 'umol/L', 'umol/L'), { referenceRange: [{ low: { value: 5.13 }, high: { value: 17.1 } }] }))
      .labs['bilirubin-total']?.[0];
    expect(v).toMatchObject({ value: 3, referenceRange: { low: 0.3, high: 1, unit: 'mg/dL', source: 'lab' } });
  });

  test('readable text-only range → the lab range; unconvertible range → fallback with an issue; ferritin has no fallback (criteria default ULN)', () => {
    const t = build(
      [
        obs('a', '1920-8', qty(120, 'U/L', 'U/L'), { referenceRange: [{ text: '< 35' }] }),
        obs('b', '1742-6', qty(120, 'U/L', 'U/L'), { referenceRange: [{ high: { value: 35, unit: 'bananas' } }] }),
        obs('c', '2276-4', qty(600, 'ng/mL', 'ng/mL')),
        obs('d', '2532-0', qty(600, 'U/L', 'U/L')),
      ],
      { patientId: 'p1' },
    );
    // a range given only as text is the lab's when it reads one way
    expect(t.labs.ast?.[0]?.referenceRange).toEqual({ high: 35, unit: 'U/L', source: 'lab', text: '< 35' });
    expect(t.labs.alt?.[0]?.referenceRange).toEqual({ low: 0, high: 35, unit: 'U/L', source: 'fallback', population: 'adult' });
    // [design] (docs/knowledge.md): ferritin without a lab range gets the configurable criteria.ferritinDefaultUln (source `default`), not a fallback
    expect(t.labs.ferritin?.[0]?.referenceRange).toBeUndefined();
    expect(t.labs.ldh?.[0]?.referenceRange).toBeUndefined();
    expect(t.issues).toEqual([expect.objectContaining({ code: 'reference-range-not-convertible', source: 'Observation/b' })]);
  });
});

describe('panels', () => {
  test('CBC components become separate values with component sources', () => {
    const cbc = {
      resourceType: 'Observation',
      id: 'cbc1',
      status: 'final',
      code: { coding: [{ system: LOINC, code: '58410-2' }] },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2026-03-03T06:30:00+01:00',
      component: [
        { code: { coding: [{ system: LOINC, code: '718-7' }] }, valueQuantity: { value: 85, unit: 'g/L' } },
        {
          code: { coding: [{ system: LOINC, code: '777-3' }] },
          valueQuantity: { value: 42, unit: 'K/uL' },
          referenceRange: [{ low: { value: 150, unit: 'K/uL' }, high: { value: 450, unit: 'K/uL' } }],
          interpretation: [{ coding: [{ code: 'LL' }] }],
        },
        { code: { coding: [{ system: LOINC, code: '751-8' }] }, dataAbsentReason: { text: 'not performed' } },
        { code: { coding: [{ system: LOINC, code: '6690-2' }] }, valueString: '2.1 x10^9/L' },
        { code: { text: 'MCV' }, valueQuantity: { value: 90, unit: 'fL' } },
      ],
    };
    const t = one(cbc);
    expect(t.labs.hemoglobin?.[0]).toMatchObject({ value: 8.5, unit: 'g/dL', source: 'Observation/cbc1#component[0]', time: '2026-03-03T06:30:00+01:00' });
    expect(t.labs.platelets?.[0]).toMatchObject({
      value: 42,
      source: 'Observation/cbc1#component[1]',
      referenceRange: { low: 150, high: 450, unit: '10*9/L', source: 'lab' },
      interpretation: ['LL'],
    });
    expect(t.labs.wbc?.[0]).toMatchObject({ value: 2.1, source: 'Observation/cbc1#component[3]' });
    expect(t.notEvaluable).toEqual([
      expect.objectContaining({ analyte: 'anc', reasonCode: 'data-absent', source: 'Observation/cbc1#component[2]' }),
    ]);
  });
});
