import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';
import { buildTimeline, createTimelineBuilder, type Finding } from '../../src/timeline';
import { ICD, LOINC, patient, SNOMED } from './fixtures';

const build = createTimelineBuilder(defaultKnowledge);
const run = (...resources: unknown[]) => build([patient, ...resources], { patientId: 'p1' });
const subject = { reference: 'Patient/p1' };
const FINDING = 'urn:hlh-sentinel:finding';

const condition = (id: string, system: string, code: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Condition',
  id,
  subject,
  code: { coding: [{ system, code }] },
  clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
  onsetDateTime: '2026-02-14',
  ...extra,
});
const verification = (code: string) => ({
  verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code }] },
});
const findingObs = (id: string, code: string, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  subject,
  code: { coding: [{ system: FINDING, code }] },
  effectiveDateTime: '2026-02-20T10:00:00Z',
  ...value,
  ...extra,
});

describe('findings from Condition (table)', () => {
  const rows: [string, unknown, Partial<Finding>[]][] = [
    ['splenomegaly SNOMED', condition('c1', SNOMED, '16294009'), [{ kind: 'splenomegaly', present: true, time: '2026-02-14', clinicalStatus: 'active' }]],
    ['hepatomegaly ICD-10-CM', condition('c1', ICD, 'R16.0'), [{ kind: 'hepatomegaly', present: true }]],
    [
      'hepatosplenomegaly counts as both (ICD written without the dot)',
      condition('c1', ICD, 'R162'),
      [
        { kind: 'hepatomegaly', present: true, source: 'Condition/c1' },
        { kind: 'splenomegaly', present: true, source: 'Condition/c1' },
      ],
    ],
    [
      'hepatosplenomegaly SNOMED',
      condition('c1', SNOMED, '36760000'),
      [{ kind: 'hepatomegaly' }, { kind: 'splenomegaly' }],
    ],
    [
      'refuted = documented negative',
      condition('c1', SNOMED, '16294009', verification('refuted')),
      [{ kind: 'splenomegaly', present: false, verificationStatus: 'refuted' }],
    ],
    [
      'provisional is kept and labelled',
      condition('c1', SNOMED, '16294009', verification('provisional')),
      [{ kind: 'splenomegaly', present: true, verificationStatus: 'provisional' }],
    ],
    [
      'CRS grade 3, resolved, with abatement',
      condition('c1', ICD, 'D89.833', {
        clinicalStatus: { coding: [{ code: 'resolved' }] },
        onsetDateTime: undefined,
        onsetPeriod: { start: '2026-02-12T03:00:00Z' },
        abatementDateTime: '2026-02-16',
      }),
      [{ kind: 'crs', grade: 3, time: '2026-02-12T03:00:00Z', end: '2026-02-16', clinicalStatus: 'resolved' }],
    ],
    ['CRS unspecified grade', condition('c1', ICD, 'D89.839'), [{ kind: 'crs', code: { system: ICD, code: 'D89.839' } }]],
    ['HLH, infection-associated', condition('c1', ICD, 'D76.2'), [{ kind: 'hlh-diagnosis', detail: 'infection-associated' }]],
    ['HIV', condition('c1', ICD, 'B20'), [{ kind: 'immunosuppression', detail: 'hiv' }]],
    ['long-term steroids', condition('c1', ICD, 'Z79.52', { onsetDateTime: undefined, recordedDate: '2025-06-01' }), [
      { kind: 'immunosuppression', detail: 'long-term-steroids', time: '2025-06-01' },
    ]],
    ['display text only is never matched', { ...condition('c1', 'http://example.org', 'x'), code: { text: 'Splenomegaly' } }, []],
  ];
  test.each(rows)('%s', (_label, resource, expected) => {
    const t = run(resource);
    expect(t.findings).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(t.findings[i]).toMatchObject(e));
  });

  test('CRS without a grade code carries no grade', () => {
    expect(run(condition('c1', ICD, 'D89.839')).findings[0]).not.toHaveProperty('grade');
  });

  test('entered-in-error Condition is skipped with an issue', () => {
    const t = run(condition('c1', SNOMED, '16294009', verification('entered-in-error')));
    expect(t.findings).toEqual([]);
    expect(t.issues).toEqual([expect.objectContaining({ code: 'entered-in-error-skipped', source: 'Condition/c1' })]);
  });
});

describe('findings from Observation (table)', () => {
  const rows: [string, unknown, Partial<Finding>[]][] = [
    ['hemophagocytosis valueBoolean true', findingObs('o1', 'hemophagocytosis', { valueBoolean: true }), [
      { kind: 'hemophagocytosis', present: true, time: '2026-02-20T10:00:00Z', source: 'Observation/o1' },
    ]],
    ['marrow examined, no hemophagocytosis (SNOMED negative)', findingObs('o1', 'hemophagocytosis', {
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '260385009' }] },
    }), [{ kind: 'hemophagocytosis', present: false }]],
    ['NK activity low (SNOMED positive)', findingObs('o1', 'nk-activity-low', {
      valueCodeableConcept: { coding: [{ system: SNOMED, code: '10828004' }] },
    }), [{ kind: 'nk-activity-low', present: true }]],
    ['valueBoolean false', findingObs('o1', 'nk-activity-low', { valueBoolean: false }), [{ kind: 'nk-activity-low', present: false }]],
    [
      'exam observation whose coded value is splenomegaly',
      {
        resourceType: 'Observation',
        id: 'o1',
        status: 'final',
        subject,
        code: { coding: [{ system: LOINC, code: '11450-4' }] },
        effectiveDateTime: '2026-02-21',
        valueCodeableConcept: { coding: [{ system: SNOMED, code: '16294009' }] },
      },
      [{ kind: 'splenomegaly', present: true, time: '2026-02-21' }],
    ],
    [
      'finding-coded observation without a value asserts the finding',
      { ...findingObs('o1', 'x', {}), code: { coding: [{ system: SNOMED, code: '16294009' }] } },
      [{ kind: 'splenomegaly', present: true }],
    ],
    ['preliminary pathology is used', findingObs('o1', 'hemophagocytosis', { valueBoolean: true }, { status: 'preliminary' }), [
      { kind: 'hemophagocytosis', present: true },
    ]],
  ];
  test.each(rows)('%s', (_label, resource, expected) => {
    const t = run(resource);
    expect(t.findings).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(t.findings[i]).toMatchObject(e));
  });

  test('an uninterpretable value is not guessed', () => {
    const t = run(findingObs('o1', 'hemophagocytosis', { valueString: 'see pathology report' }));
    expect(t.findings).toEqual([]);
    expect(t.issues).toEqual([expect.objectContaining({ code: 'finding-value-uninterpretable', source: 'Observation/o1' })]);
  });

  test('entered-in-error finding Observation is skipped', () => {
    const t = run(findingObs('o1', 'hemophagocytosis', { valueBoolean: true }, { status: 'entered-in-error' }));
    expect(t.findings).toEqual([]);
    expect(t.issues.map((i) => i.code)).toEqual(['entered-in-error-skipped']);
  });
});

test('infection and disease progression have no default codes; a site maps its own', () => {
  const local = 'http://hospital.example.org/problems';
  const resources = [condition('c1', local, 'EBV-VIREMIA'), condition('c2', local, 'LYMPHOMA-PROGRESSION')];
  expect(run(...resources).findings).toEqual([]);
  const k = structuredClone(defaultKnowledge);
  k.findings.codes.push(
    { system: local, code: 'EBV-VIREMIA', kinds: ['infection'], detail: 'ebv', status: 'design', source: { id: 'design' } },
    { system: local, code: 'LYMPHOMA-PROGRESSION', kinds: ['disease-progression'], status: 'design', source: { id: 'design' } },
  );
  const t = buildTimeline([patient, ...resources], knowledgeSchema.parse(k), { patientId: 'p1' });
  expect(t.findings.map((f) => [f.kind, f.detail, f.source])).toEqual([
    ['disease-progression', undefined, 'Condition/c2'],
    ['infection', 'ebv', 'Condition/c1'],
  ]);
});
