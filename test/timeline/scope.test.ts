/**
 * Patient scoping (src/timeline/scope.ts): only resources whose subject provably denotes the context patient
 * reach the timeline; everything else is excluded and counted.
 */
import fc from 'fast-check';
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder } from '../../src/timeline';
import { LOINC, obs, patient, qty } from './fixtures';
import { issueText, withText } from '../support/issue-text';

const build = createTimelineBuilder(defaultKnowledge);
const UUID_P1 = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000001';
const UUID_P2 = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000002';
const UUID_TWICE = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000003';
const UUID_OBS = 'urn:uuid:aaaaaaaa-0000-4000-8000-000000000004';

/** The input around the resources under test: Patient p1 and p2 with urn:uuid fullUrls, one claimed twice. */
function withPatients(...resources: unknown[]): unknown[] {
  return [
    {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [
        { fullUrl: UUID_P1, resource: patient },
        { fullUrl: UUID_P2, resource: { resourceType: 'Patient', id: 'p2' } },
        { fullUrl: UUID_TWICE, resource: { ...patient } },
        { fullUrl: UUID_TWICE, resource: { resourceType: 'Patient', id: 'p2' } },
        { fullUrl: UUID_OBS, resource: obs('target-obs', '2276-4', qty(1, 'ng/mL', 'ng/mL')) },
        ...resources.map((resource) => ({ resource })),
      ],
    },
  ];
}

const ferritinWith = (id: string, subject: unknown, extra: Record<string, unknown> = {}) => {
  const o: Record<string, unknown> = { ...obs(id, '2276-4', qty(500, 'ng/mL', 'ng/mL')), ...extra };
  if (subject === undefined) delete o.subject;
  else o.subject = subject;
  return o;
};

describe('which subject references are provably the context patient', () => {
  // [label, subject, kept, issue code when not kept]
  const rows: [string, unknown, boolean, string][] = [
    ['relative', { reference: 'Patient/p1' }, true, ''],
    ['relative, versioned', { reference: 'Patient/p1/_history/7' }, true, ''],
    ['relative with surrounding whitespace', { reference: ' Patient/p1 ' }, true, ''],
    ['relative with type Patient', { reference: 'Patient/p1', type: 'Patient' }, true, ''],
    ['absolute', { reference: 'https://ehr.example.org/fhir/r4/Patient/p1' }, true, ''],
    ['absolute, versioned', { reference: 'http://ehr.example.org/Patient/p1/_history/2' }, true, ''],
    ['urn:uuid of the Patient entry', { reference: UUID_P1 }, true, ''],
    ['another patient, relative', { reference: 'Patient/p2' }, false, 'wrong-patient'],
    ['another patient, absolute', { reference: 'https://ehr.example.org/fhir/Patient/p2' }, false, 'wrong-patient'],
    ['another patient, urn:uuid', { reference: UUID_P2 }, false, 'wrong-patient'],
    ['a Group', { reference: 'Group/g1' }, false, 'wrong-patient'],
    ['urn:uuid of an Observation', { reference: UUID_OBS }, false, 'wrong-patient'],
    ['a prefix of another id', { reference: 'Patient/p10' }, false, 'wrong-patient'],
    ['trailing slash', { reference: 'Patient/p1/' }, false, 'subject-unverifiable'],
    ['trailing slash, other patient', { reference: 'Patient/B/' }, false, 'subject-unverifiable'],
    ['lower-case type', { reference: 'patient/p1' }, false, 'subject-unverifiable'],
    ['query string', { reference: 'Patient/p1?x=y' }, false, 'subject-unverifiable'],
    ['absolute with query', { reference: 'https://ehr.example.org/Patient/p1?_format=json' }, false, 'subject-unverifiable'],
    ['absolute with fragment', { reference: 'https://ehr.example.org/Patient/p1#x' }, false, 'subject-unverifiable'],
    ['absolute, not http(s)', { reference: 'ftp://ehr.example.org/Patient/p1' }, false, 'subject-unverifiable'],
    ['empty history', { reference: 'Patient/p1/_history/' }, false, 'subject-unverifiable'],
    ['double slash', { reference: 'Patient//p1' }, false, 'subject-unverifiable'],
    ['id with a space', { reference: 'Patient/p1 x' }, false, 'subject-unverifiable'],
    ['contained', { reference: '#p1' }, false, 'subject-unverifiable'],
    ['unresolvable urn:uuid', { reference: 'urn:uuid:bbbbbbbb-0000-4000-8000-000000000009' }, false, 'subject-unverifiable'],
    ['urn:uuid claimed by two resources', { reference: UUID_TWICE }, false, 'subject-unverifiable'],
    ['identifier only', { identifier: { system: 'urn:mrn', value: 'p1' } }, false, 'subject-unverifiable'],
    ['display only', { display: 'Jane Doe' }, false, 'subject-unverifiable'],
    ['empty reference', { reference: '' }, false, 'subject-unverifiable'],
    ['reference not a string', { reference: ['Patient/p1'] }, false, 'subject-unverifiable'],
    ['type that is not Patient', { reference: 'Patient/p1', type: 'Group' }, false, 'subject-unverifiable'],
    ['a plain string', 'Patient/p1', false, 'subject-unverifiable'],
    ['an array', [{ reference: 'Patient/p1' }], false, 'subject-unverifiable'],
    ['a number', 1, false, 'subject-unverifiable'],
    ['no subject', undefined, false, 'subject-missing'],
    ['subject null', null, false, 'subject-missing'],
  ];

  test.each(rows)('%s', (_label, subject, kept, code) => {
    const t = build(withPatients(ferritinWith('x', subject)), { patientId: 'p1' });
    expect(t.labs.ferritin?.some((v) => v.source === 'Observation/x') ?? false).toBe(kept);
    const scoping = t.issues.filter((i) => ['wrong-patient', 'subject-unverifiable', 'subject-missing'].includes(i.code));
    const mine = scoping.filter((i) => /Observation\/x\b/.test(issueText(i)));
    if (kept) expect(mine).toEqual([]);
    else expect(mine).toEqual([expect.objectContaining({ code, severity: 'warning' })]);
  });

  test('the `patient` element counts when there is no `subject` (other resource shapes)', () => {
    const t = build([patient, ferritinWith('x', undefined, { patient: { reference: 'Patient/p1' } })], { patientId: 'p1' });
    expect(t.labs.ferritin).toHaveLength(1);
  });

  test('the same reference text with a different `type` is judged per resource, not from a cache', () => {
    const t = build(
      [
        patient,
        ferritinWith('a', { reference: 'Patient/p1' }, qty(501, 'ng/mL', 'ng/mL')),
        ferritinWith('b', { reference: 'Patient/p1', type: 'Group' }, qty(502, 'ng/mL', 'ng/mL')),
        ferritinWith('c', { reference: 'Patient/p1' }, qty(503, 'ng/mL', 'ng/mL')),
      ],
      { patientId: 'p1' },
    );
    expect(t.labs.ferritin?.map((v) => v.source)).toEqual(['Observation/a', 'Observation/c']);
  });

  test('excluded resources are counted in one issue per kind, with at most three examples', () => {
    const theirs = Array.from({ length: 1000 }, (_, i) => ferritinWith(`t${String(i).padStart(4, '0')}`, { reference: 'Patient/p2' }));
    const loose = Array.from({ length: 5 }, (_, i) => ferritinWith(`n${i}`, undefined));
    const t = build([patient, ...theirs, ...loose], { patientId: 'p1' });
    expect(t.labs.ferritin).toBeUndefined();
    expect(t.issues.map(withText)).toEqual([
      {
        severity: 'warning',
        code: 'subject-missing',
        params: { n: 5, patient: 'Patient/p1', examples: 'Observation/n0, Observation/n1, Observation/n2, …' },
        message: '5 resource(s) without a subject not used (Observation/n0, Observation/n1, Observation/n2, …).',
        source: 'Observation/n0',
      },
      {
        severity: 'warning',
        code: 'wrong-patient',
        params: { n: 1000, patient: 'Patient/p1', examples: 'Observation/t0000, Observation/t0001, Observation/t0002, …' },
        message: '1000 resource(s) about another patient or a non-patient subject not used (Observation/t0000, Observation/t0001, Observation/t0002, …).',
        source: 'Observation/t0000',
      },
    ]);
  });

  test('conditions and medications are scoped by the same rule', () => {
    const cond = { resourceType: 'Condition', id: 'c', code: { coding: [{ system: 'http://snomed.info/sct', code: '16294009' }] }, subject: { reference: 'Patient/p1/' } };
    const med = { resourceType: 'MedicationAdministration', id: 'm', status: 'completed', medicationCodeableConcept: { text: 'pembrolizumab' }, effectiveDateTime: '2026-03-01', subject: { reference: 'patient/p1' } };
    const t = build([patient, cond, med], { patientId: 'p1' });
    expect(t.findings).toEqual([]);
    expect(t.exposures).toEqual([]);
    expect(t.issues.map((i) => [i.code, issueText(i).slice(0, 2)])).toEqual([['subject-unverifiable', '2 ']]);
  });
});

describe('property: no malformed or foreign reference gets a resource into the timeline', () => {
  const ID_CHARS = fc.constantFrom(...'p1P2x-._/ ?#%'.split(''));
  const ids = fc.oneof(
    fc.constantFrom('p1', 'p2', 'p10', 'P1', 'p1 ', ' p1', 'p1/', 'p1?x=y', 'p1#a', 'p1/_history', 'p1/_history/', 'p1/_history/2/x', 'р1', 'p1\n', ''),
    fc.string({ unit: ID_CHARS, maxLength: 6 }),
  );
  const types = fc.constantFrom('Patient', 'patient', 'PATIENT', 'Раtient', 'Group', 'Practitioner', 'Patient ', '');
  const prefixes = fc.constantFrom('', 'https://ehr.example.org/fhir/', 'http://h/', 'ftp://h/', 'urn:uuid:', '#', ' ', 'x', '/', 'https://h/Patient/p1/', 'https://h?q=/');
  const seps = fc.constantFrom('/', '//', '', '\\', ':');
  const suffixes = fc.constantFrom('', '/', '/_history/1', '/_history/', '?x=y', '#x', ' x', '/Patient/p2');
  const malformedRef = fc.tuple(prefixes, types, seps, ids, suffixes).map(([a, b, c, d, e]) => `${a}${b}${c}${d}${e}`);

  /** Provably p1 by construction (the forms the rule accepts). */
  const ours = fc.oneof(
    fc.constant({ reference: 'Patient/p1' }),
    fc.constant({ reference: UUID_P1 }),
    fc.constantFrom('https://ehr.example.org/fhir/r4', 'http://localhost:8080').chain((base) =>
      fc.constantFrom('', '/_history/1', '/_history/v2').map((h) => ({ reference: `${base}/Patient/p1${h}` })),
    ),
  );
  /** Never provably p1: another patient, a broken form, or not a reference at all. */
  const foreign = fc.oneof(
    malformedRef
      // a fragment combination can spell a valid form by chance: only the clearly invalid ones are foreign here
      .filter((r) => !/^(?:https?:\/\/[^/?#\s]+(?:\/[^?#\s]*)?\/)?Patient\/p1(?:\/_history\/[A-Za-z0-9.-]+)?$/.test(r.trim()))
      .map((reference) => ({ reference })),
    fc.constantFrom(
      { reference: UUID_P2 },
      { reference: UUID_TWICE },
      { reference: UUID_OBS },
      { reference: 'Patient/p1', type: 'Group' },
      { identifier: { value: 'p1' } },
      'Patient/p1',
      [{ reference: 'Patient/p1' }],
      { reference: 42 },
      null,
      undefined,
    ),
    fc.anything({ maxDepth: 2 }).filter((x) => !JSON.stringify(x ?? null).includes('p1')),
  );

  test('every kept value comes from a provably-ours resource, every excluded one is counted', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ours.map((s) => ({ s, mine: true })), foreign.map((s) => ({ s, mine: false }))), { maxLength: 25 }), (items) => {
        const resources = items.map((it, i) => ({
          ...obs(`o${i}`, '2276-4', qty(1000 + i, 'ng/mL', 'ng/mL')),
          ...(it.s === undefined ? { subject: undefined } : { subject: it.s }),
        }));
        const t = build(withPatients(...resources), { patientId: 'p1' });
        const kept = new Set((t.labs.ferritin ?? []).map((v) => v.source));
        kept.delete('Observation/target-obs');
        const expected = new Set(items.flatMap((it, i) => (it.mine ? [`Observation/o${i}`] : [])));
        expect([...kept].sort()).toEqual([...expected].sort());
        const counted = t.issues
          .filter((i) => ['wrong-patient', 'subject-unverifiable', 'subject-missing'].includes(i.code))
          .reduce((n, i) => n + Number((i.params as { n: number }).n), 0);
        // + Patient/p2 (its own entry), counted as another patient's resource
        expect(counted).toBe(items.filter((it) => !it.mine).length + 1);
      }),
      { numRuns: 300 },
    );
  });

  test('no LOINC-coded value of another patient survives a shuffled mix (the timeline is order-independent)', () => {
    const mine = obs('m', '2276-4', qty(700, 'ng/mL', 'ng/mL'));
    const theirs = { ...obs('t', '2276-4', qty(90000, 'ng/mL', 'ng/mL')), subject: { reference: 'Patient/p2' } };
    for (const order of [[mine, theirs], [theirs, mine]]) {
      const t = build([patient, ...order], { patientId: 'p1' });
      expect(t.labs.ferritin?.map((v) => v.value)).toEqual([700]);
      expect(t.labs.ferritin?.[0]?.code).toMatchObject({ system: LOINC });
    }
  });
});
