import fc from 'fast-check';
import { defaultKnowledge } from '../../src/knowledge';
import { buildTimeline, createTimelineBuilder } from '../../src/timeline';
import { bundle, LOINC, obs, patient, qty, RXNORM, SNOMED } from './fixtures';
import { issueText } from '../support/issue-text';

const build = createTimelineBuilder(defaultKnowledge);
const subject = { reference: 'Patient/p1' };

/** Deterministic Fisher–Yates with a small LCG, so failures are reproducible. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const cbc = (id: string, plt: number, time: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  subject,
  code: { coding: [{ system: LOINC, code: '58410-2' }] },
  effectiveDateTime: time,
  component: [
    { code: { coding: [{ system: LOINC, code: '777-3' }] }, valueQuantity: { value: plt, unit: '10*3/uL' } },
    { code: { coding: [{ system: LOINC, code: '718-7' }] }, valueQuantity: { value: 8.1, unit: 'g/dL' } },
  ],
});

const mixed: unknown[] = [
  patient,
  obs('fer1', '2276-4', qty(5200, 'ng/mL', 'ng/mL'), { effectiveDateTime: '2026-02-20T06:00:00Z' }),
  obs('fer2', '2276-4', { valueString: '>40000 ug/L' }, { effectiveDateTime: '2026-02-22T06:00:00Z' }),
  obs('fib1', '3255-7', qty(1.1, 'g/L', 'g/L'), { effectiveDateTime: '2026-02-22T06:00:00Z' }),
  obs('tg1', '14927-8', qty(3.4, 'mmol/L'), { effectiveDateTime: '2026-02-22T06:00:00Z' }),
  obs('t1', '8310-5', qty(102.5, '°F'), { effectiveDateTime: '2026-02-21T22:00:00Z' }),
  obs('alt1', '1742-6', qty(410, 'IU/L'), { effectiveDateTime: '2026-02-22T06:00:00Z', status: 'preliminary' }),
  obs('noUnit', '1920-8', qty(300), { effectiveDateTime: '2026-02-22T06:00:00Z' }),
  cbc('cbc1', 42, '2026-02-22T06:00:00Z'),
  obs('plt-dup', '777-3', qty(42, 'K/uL'), { effectiveDateTime: '2026-02-22T07:00:00+01:00' }),
  obs('plt-conf', '26515-7', qty(45, '10*9/L', '10*9/L'), { effectiveDateTime: '2026-02-22T06:00:00Z' }),
  bundle(
    { resourceType: 'Condition', id: 'spl', subject, code: { coding: [{ system: SNOMED, code: '16294009' }] }, onsetDateTime: '2026-02-21' },
    { resourceType: 'Procedure', id: 'inf', status: 'completed', subject, code: { text: 'Carvykti infusion' }, performedDateTime: '2026-02-10' },
    { resourceType: 'OperationOutcome', id: 'oo1', issue: [{ severity: 'error', code: 'timeout', diagnostics: 'Condition query timed out' }] },
  ),
  {
    resourceType: 'MedicationAdministration',
    id: 'tec1',
    status: 'completed',
    subject,
    medicationCodeableConcept: { coding: [{ system: RXNORM, code: '1597258', display: 'blinatumomab' }] },
    effectiveDateTime: '2026-01-15',
  },
  { resourceType: 'MedicationRequest', id: 'tec2', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: 'Blincyto' } },
  obs('eie', '2276-4', qty(99999, 'ng/mL', 'ng/mL'), { status: 'entered-in-error' }),
  { resourceType: 'Encounter', id: 'e1', status: 'in-progress' },
];

describe('determinism and order independence', () => {
  test('the same resources in any order give deep-equal timelines', () => {
    const reference = build(mixed, { patientId: 'p1' });
    for (let seed = 1; seed <= 12; seed++) {
      expect(build(shuffle(mixed, seed), { patientId: 'p1' })).toEqual(reference);
    }
    // and flattening the bundle or duplicating everything changes nothing
    expect(build([...shuffle(mixed, 99), ...mixed], { patientId: 'p1' })).toEqual(reference);
  });

  test('the builder is a pure function (two runs, one builder; buildTimeline cache)', () => {
    const a = build(mixed, { patientId: 'p1' });
    const b = build(mixed, { patientId: 'p1' });
    expect(b).toEqual(a);
    expect(buildTimeline(mixed, defaultKnowledge, { patientId: 'p1' })).toEqual(a);
  });

  test('input objects are not mutated', () => {
    const copy = structuredClone(mixed);
    build(mixed, { patientId: 'p1' });
    expect(mixed).toEqual(copy);
  });

  test('the mixed prefetch yields the expected facts', () => {
    const t = build(mixed, { patientId: 'p1' });
    expect(t.labs.ferritin?.map((v) => [v.value, v.comparator ?? '', v.unit])).toEqual([
      [5200, '', 'ng/mL'],
      [40000, '>', 'ng/mL'],
    ]);
    expect(t.labs.fibrinogen?.[0]?.value).toBe(110);
    expect(t.labs.triglycerides?.[0]?.value).toBe(301.138);
    expect(t.labs.temperature?.[0]?.value).toBe(39.1666666667);
    expect(t.labs.alt?.[0]).toMatchObject({ value: 410, unit: 'U/L', status: 'preliminary' });
    expect(t.notEvaluable).toEqual([expect.objectContaining({ analyte: 'ast', reasonCode: 'no-unit', source: 'Observation/noUnit' })]);
    expect(t.exposures.map((e) => [e.class, e.agent, e.start, e.matchedBy])).toEqual([
      ['car-t', 'ciltacabtagene autoleucel', '2026-02-10', 'name'],
      ['t-cell-engager', 'blinatumomab', '2026-01-15', 'code'],
    ]);
    expect(t.findings.map((f) => [f.kind, f.source])).toEqual([['splenomegaly', 'Condition/spl']]);
    expect(t.issues.map((i) => [i.severity, i.code, i.source])).toEqual([
      ['warning', 'operation-outcome', 'OperationOutcome/oo1'],
      ['info', 'entered-in-error-skipped', 'Observation/eie'],
    ]);
  });
});

describe('duplicates and conflicts', () => {
  test('identical value at the same instant from a panel and a stand-alone result is kept once; a different value is a conflict', () => {
    const t = build(mixed, { patientId: 'p1' });
    expect(t.labs.platelets).toEqual([
      expect.objectContaining({ value: 42, source: 'Observation/cbc1#component[0]', duplicateSources: ['Observation/plt-dup'] }),
      expect.objectContaining({ value: 45, source: 'Observation/plt-conf' }),
    ]);
    expect(t.conflicts).toEqual([
      {
        analyte: 'platelets',
        time: '2026-02-22T06:00:00Z',
        sources: ['Observation/cbc1#component[0]', 'Observation/plt-conf', 'Observation/plt-dup'],
        values: [42, 45, 42],
      },
    ]);
  });

  test('preliminary then final with the same value: the final one is kept', () => {
    const t = build([
      obs('a-final', '2276-4', qty(800, 'ng/mL', 'ng/mL')),
      obs('0-prelim', '2276-4', qty(800, 'ng/mL', 'ng/mL'), { status: 'preliminary' }),
    ]);
    expect(t.labs.ferritin).toEqual([expect.objectContaining({ source: 'Observation/a-final', status: 'final', duplicateSources: ['Observation/0-prelim'] })]);
    expect(t.conflicts).toEqual([]);
  });

  test('the same resource id twice with different content: latest version kept, whatever the order; a correction silently', () => {
    const v1 = obs('f1', '2276-4', qty(700, 'ng/mL', 'ng/mL'), { meta: { versionId: '1', lastUpdated: '2026-02-01T00:00:00Z' } });
    const v2 = obs('f1', '2276-4', qty(750, 'ng/mL', 'ng/mL'), { status: 'corrected', meta: { versionId: '2', lastUpdated: '2026-02-02T00:00:00Z' } });
    for (const input of [[v1, v2], [v2, v1]]) {
      const t = build(input);
      expect(t.labs.ferritin?.map((v) => [v.value, v.status])).toEqual([[750, 'corrected']]);
      expect(t.conflicts).toEqual([]);
      expect(t.issues).toEqual([]); // a corrected version supersedes the final one (FHIR ObservationStatus): no issue
    }
  });

  test('resources without an id still de-duplicate by content', () => {
    const { id: _id, ...noId } = obs('x', '2276-4', qty(700, 'ng/mL', 'ng/mL'));
    const t = build([noId, structuredClone(noId)]);
    expect(t.labs.ferritin).toHaveLength(1);
    expect(t.labs.ferritin?.[0]?.source).toMatch(/^Observation\/anon-[0-9a-f]{12}$/);
  });
});

describe('patient scoping', () => {
  test('other patients and subject-less resources are skipped with counted issues; absolute, versioned and urn:uuid references resolve', () => {
    const t = build(
      [
        patient,
        { resourceType: 'Patient', id: 'p2' },
        obs('mine', '2276-4', qty(1, 'ng/mL', 'ng/mL')),
        obs('abs', '2276-4', qty(2, 'ng/mL', 'ng/mL'), { subject: { reference: 'https://fhir.example.org/r4/Patient/p1/_history/3' } }),
        obs('theirs', '2276-4', qty(3, 'ng/mL', 'ng/mL'), { subject: { reference: 'Patient/p2' } }),
        obs('group', '2276-4', qty(4, 'ng/mL', 'ng/mL'), { subject: { reference: 'Group/g1' } }),
        obs('nosubj', '2276-4', qty(5, 'ng/mL', 'ng/mL'), { subject: undefined }),
        {
          resourceType: 'Bundle',
          entry: [
            { fullUrl: 'urn:uuid:aaaaaaaa-0000-0000-0000-000000000001', resource: { resourceType: 'Patient', id: 'p1' } },
            { resource: obs('uuid', '2276-4', qty(6, 'ng/mL', 'ng/mL'), { subject: { reference: 'urn:uuid:aaaaaaaa-0000-0000-0000-000000000001' } }) },
          ],
        },
      ],
      { patientId: 'p1' },
    );
    // A resource without a subject is not provably this patient's: excluded (and counted), like another patient's.
    expect(t.labs.ferritin?.map((v) => v.source)).toEqual(['Observation/abs', 'Observation/mine', 'Observation/uuid']);
    expect(t.issues.map((i) => [i.code, i.source, issueText(i)])).toEqual([
      ['subject-missing', 'Observation/nosubj', expect.stringMatching(/^1 resource\(s\) without a subject/)],
      ['wrong-patient', 'Observation/group', expect.stringMatching(/^3 resource\(s\) about another patient or a non-patient subject not used \(Observation\/group, Observation\/theirs, Patient\/p2\)\.$/)],
      ['duplicate-resource-differs', 'Patient/p1', expect.any(String)], // the bundle's bare copy of Patient/p1 loses to the complete one
    ]);
    expect(t.patient).toEqual({ id: 'p1', birthDate: '1961-04-02', gender: 'female' });
  });

  test('without patientId: the single Patient scopes the data; several patients raise a warning', () => {
    expect(build([patient, obs('x', '2276-4', qty(3, 'ng/mL', 'ng/mL'), { subject: { reference: 'Patient/p2' } })]).labs).toEqual({});
    const t = build([obs('a', '2276-4', qty(1, 'ng/mL', 'ng/mL')), obs('b', '2276-4', qty(3, 'ng/mL', 'ng/mL'), { subject: { reference: 'Patient/p2' } })]);
    expect(t.issues.map((i) => i.code)).toEqual(['multiple-patients']);
    expect(t.patient).toEqual({});
  });
});

describe('untrusted input never throws', () => {
  const circular: Record<string, unknown> = { resourceType: 'Bundle' };
  circular.entry = [{ resource: circular }];
  let deep: Record<string, unknown> = obs('deep', '2276-4', qty(1, 'ng/mL', 'ng/mL'));
  for (let i = 0; i < 40; i++) deep = { resourceType: 'Bundle', entry: [{ resource: deep }] };

  const junk: unknown[] = [
    null,
    undefined,
    42,
    'Observation',
    [],
    {},
    { resourceType: 5 },
    { resourceType: 'not a type' },
    { resourceType: 'Observation' },
    { resourceType: 'Observation', id: 'j1', status: 'final', code: 'ferritin', component: 'x', valueQuantity: 'z' },
    { resourceType: 'Observation', id: 'j2', status: 'final', code: { coding: 'x' } },
    { resourceType: 'Observation', id: 'j3', status: 'final', code: { coding: [null, 5, { system: LOINC, code: '2276-4' }] }, valueQuantity: { value: 'NaN', unit: 7 }, effectiveDateTime: 17 },
    { resourceType: 'Observation', id: 'j4', status: 'final', code: { coding: [{ system: LOINC, code: '58410-2' }] }, component: [null, 3, { code: { coding: [{ system: LOINC, code: '777-3' }] }, valueQuantity: [] }] },
    { resourceType: 'Observation', id: 'j5', status: 'final', code: { coding: [{ system: LOINC, code: '2276-4' }] }, valueQuantity: { value: Number.POSITIVE_INFINITY, unit: 'ng/mL' }, referenceRange: 'x' },
    { resourceType: 'Condition', id: 'j6', code: { coding: [{ system: SNOMED, code: '16294009' }] }, onsetDateTime: { nested: true }, verificationStatus: 'x' },
    { resourceType: 'MedicationRequest', id: 'j7', medicationCodeableConcept: 'pembrolizumab', dosageInstruction: 'daily' },
    { resourceType: 'MedicationAdministration', id: 'j8', medicationReference: { reference: 42 }, effectivePeriod: 'x' },
    { resourceType: 'MedicationStatement', id: 'j9', medicationCodeableConcept: { text: 'nivolumab' }, dosage: [{ doseAndRate: [{ doseQuantity: { value: 'x' } }] }] },
    { resourceType: 'Procedure', id: 'j10', code: { text: 'Kymriah' }, performedDateTime: '2026-13-45' },
    { resourceType: 'OperationOutcome', issue: 'broken' },
    { resourceType: 'Bundle', entry: 'x' },
    { resourceType: 'Bundle', entry: [null, { resource: 5 }, { response: { outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', diagnostics: 'not found' }] } } }] },
    circular,
    deep,
    { resourceType: 'Observation', id: '../../etc/passwd', status: 'final', code: { coding: [{ system: LOINC, code: '2276-4' }] }, valueQuantity: { value: 1, unit: 'ng/mL' } },
  ];

  test('junk becomes issues or is ignored', () => {
    const t = build(junk, { patientId: 'p1' });
    const unreadable = ['invalid-resource', 'input-item-not-resource', 'input-item-empty', 'bundle-too-deep'];
    expect(new Set(t.issues.map((i) => i.code).filter((c) => unreadable.includes(c)))).toEqual(new Set(unreadable));
    expect(t.issues.some((i) => i.code === 'operation-outcome' && /reported error \(unknown\): not found/.test(issueText(i)))).toBe(true);
    expect(t.issues.some((i) => i.code === 'invalid-resource-id')).toBe(true);
    expect(build(shuffle(junk, 7), { patientId: 'p1' })).toEqual(t);
  });

  test('non-array input', () => {
    expect(() => build(null as unknown as unknown[])).not.toThrow();
    expect(build({} as unknown as unknown[]).issues[0]?.code).toBe('input-not-array');
  });

  test('property: arbitrary resource-shaped JSON never throws and is order-independent', () => {
    const types = ['Observation', 'Condition', 'MedicationAdministration', 'MedicationRequest', 'MedicationStatement', 'Procedure', 'Medication', 'Patient', 'Bundle', 'OperationOutcome'];
    const codings = fc.constantFrom(
      { coding: [{ system: LOINC, code: '2276-4' }] },
      { coding: [{ system: LOINC, code: '58410-2' }] },
      { coding: [{ system: SNOMED, code: '16294009' }] },
      { coding: [{ system: RXNORM, code: '1547545' }] },
      { text: 'Kymriah lamotrigine prednisone' },
    );
    const resource = fc.record(
      {
        resourceType: fc.constantFrom(...types),
        id: fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.string(), fc.anything()),
        status: fc.oneof(fc.constantFrom('final', 'preliminary', 'active', 'completed', 'entered-in-error'), fc.anything()),
        code: fc.oneof(codings, fc.anything()),
        subject: fc.oneof(fc.constant({ reference: 'Patient/p1' }), fc.constant({ reference: 'Patient/p2' }), fc.anything()),
        medicationCodeableConcept: fc.oneof(codings, fc.anything()),
        valueQuantity: fc.oneof(fc.record({ value: fc.double(), unit: fc.constantFrom('ng/mL', 'g/L', 'K/uL', '°F', 'x') }), fc.anything()),
        valueString: fc.oneof(fc.constantFrom('>40000', '1,234 ng/mL', '<0.5'), fc.string()),
        effectiveDateTime: fc.oneof(fc.constantFrom('2026-02-01', '2026-02-01T10:00:00Z'), fc.anything()),
        component: fc.oneof(fc.array(fc.record({ code: codings, valueQuantity: fc.anything() })), fc.anything()),
        entry: fc.anything(),
        issue: fc.anything(),
      },
      { requiredKeys: ['resourceType'] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(resource, fc.anything()), { maxLength: 12 }), fc.integer(), (items, seed) => {
        const a = build(items, { patientId: 'p1' });
        const b = build(shuffle(items, seed), { patientId: 'p1' });
        expect(b).toEqual(a);
      }),
      { numRuns: 150 },
    );
  });
});
