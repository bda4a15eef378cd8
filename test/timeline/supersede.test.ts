/**
 * A corrected or amended Observation supersedes the earlier version of the same result (same identifier system and
 * value, and the same test), silently: no conflict, no issue, one value in the trend (FHIR R4 ObservationStatus:
 * amended and corrected follow final). A conflicting result is never dropped silently: an identifier shared by the
 * tests of one draw (an accession number) links no results of different tests.
 */
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder, type PatientTimeline } from '../../src/timeline';
import { obs, patient, qty } from './fixtures';
import { withText } from '../support/issue-text';

const build = createTimelineBuilder(defaultKnowledge);
const run = (...resources: unknown[]): PatientTimeline => build([patient, ...resources], { patientId: 'p1' });
const ACC = (value: string, system = 'urn:oid:1.2.3.4.lab') => ({ system, value });
const ferritin = (id: string, value: number, extra: Record<string, unknown>) => obs(id, '2276-4', qty(value, 'ng/mL', 'ng/mL'), extra);
const values = (t: PatientTimeline) => t.labs.ferritin?.map((v) => [v.source, v.value, v.status]);

describe('a correction sent as a new resource with the same identifier', () => {
  const final = ferritin('a', 7000, { identifier: [ACC('F-1')] });
  const corrected = ferritin('b', 700, { status: 'corrected', identifier: [ACC('F-1')], issued: '2026-03-01T12:00:00Z' });

  test('replaces the final value at the same time: no conflict, no issue', () => {
    for (const order of [[final, corrected], [corrected, final]]) {
      const t = run(...order);
      expect(values(t)).toEqual([['Observation/b', 700, 'corrected']]);
      expect(t.conflicts).toEqual([]);
      expect(t.issues).toEqual([]);
    }
  });

  test('replaces it when the correction also corrects the time: the trend shows one value', () => {
    const t = run(final, { ...corrected, effectiveDateTime: '2026-03-01T07:30:00Z' });
    expect(values(t)).toEqual([['Observation/b', 700, 'corrected']]);
  });

  test('amended counts as corrected; a preliminary version is superseded too', () => {
    const t = run(ferritin('p', 6000, { status: 'preliminary', identifier: [ACC('F-1')] }), final, { ...corrected, status: 'amended' });
    expect(values(t)).toEqual([['Observation/b', 700, 'amended']]);
  });

  test('of two corrections the latest wins (meta.lastUpdated, then issued), whatever the order', () => {
    const c1 = ferritin('c1', 710, { status: 'corrected', identifier: [ACC('F-1')], meta: { lastUpdated: '2026-03-02T00:00:00Z' } });
    const c2 = ferritin('c2', 720, { status: 'corrected', identifier: [ACC('F-1')], meta: { lastUpdated: '2026-03-03T00:00:00Z' } });
    expect(values(run(final, c2, c1))).toEqual([['Observation/c2', 720, 'corrected']]);
    const i1 = ferritin('i1', 730, { status: 'amended', identifier: [ACC('F-1')], issued: '2026-03-04T00:00:00Z' });
    const i2 = ferritin('i2', 740, { status: 'amended', identifier: [ACC('F-1')], issued: '2026-03-02T00:00:00Z' });
    expect(values(run(i2, final, i1))).toEqual([['Observation/i1', 730, 'amended']]);
  });

  test('identifiers link transitively (A~B on one identifier, B~C on another)', () => {
    const a = ferritin('a', 7000, { identifier: [ACC('X')] });
    const b = ferritin('b', 700, { status: 'corrected', identifier: [ACC('X'), ACC('Y', 'urn:filler')] });
    const c = ferritin('c', 7100, { identifier: [ACC('Y', 'urn:filler')], effectiveDateTime: '2026-03-01T09:00:00Z' });
    expect(values(run(c, a, b))).toEqual([['Observation/b', 700, 'corrected']]);
  });
});

describe('what is not a correction of the same result', () => {
  test('one accession number on every test of a draw: a corrected ferritin replaces only the ferritin', () => {
    const acc = [ACC('ACC-1', 'urn:oid:1.2.3.4.lab.accession')];
    const alt = obs('alt', '1742-6', qty(900, 'U/L', 'U/L'), { identifier: acc });
    const ast = obs('ast', '1920-8', qty(700, 'U/L', 'U/L'), { identifier: acc });
    const wrong = ferritin('f', 98000, { identifier: acc });
    const fixed = ferritin('fc', 12000, { identifier: acc, status: 'corrected', issued: '2026-03-01T11:00:00Z' });
    for (const order of [[wrong, alt, ast, fixed], [fixed, ast, alt, wrong]]) {
      const t = run(...order);
      expect(values(t)).toEqual([['Observation/fc', 12000, 'corrected']]);
      expect(t.labs.alt?.map((v) => v.value)).toEqual([900]);
      expect(t.labs.ast?.map((v) => v.value)).toEqual([700]);
      expect(t.issues.map(withText)).toEqual([
        expect.objectContaining({ severity: 'info', code: 'correction-identifier-shared', source: 'Observation/fc', message: expect.stringContaining('2 result(s) of other tests') }),
      ]);
    }
  });

  test('an amended ALT sharing the accession never removes the ferritin or fibrinogen of that draw', () => {
    const acc = [ACC('ACC-9', 'urn:oid:1.2.3.4.lab.accession')];
    const t = run(
      ferritin('f', 12000, { identifier: acc }),
      obs('fib', '3255-7', qty(90, 'mg/dL', 'mg/dL'), { identifier: acc }),
      obs('alt', '1742-6', qty(40, 'U/L', 'U/L'), { identifier: acc }),
      obs('alt2', '1742-6', qty(45, 'U/L', 'U/L'), { identifier: acc, status: 'amended' }),
    );
    expect(values(t)).toEqual([['Observation/f', 12000, 'final']]);
    expect(t.labs.fibrinogen?.map((v) => v.value)).toEqual([90]);
    expect(t.labs.alt?.map((v) => [v.source, v.value])).toEqual([['Observation/alt2', 45]]);
  });

  test('the same test is a shared code coding (a local code alongside LOINC does not matter)', () => {
    const acc = [ACC('ACC-2')];
    const local = { system: 'urn:site:lab', code: 'FERR' };
    const both = ferritin('a', 7000, { identifier: acc, code: { coding: [local, { system: 'http://loinc.org', code: '2276-4' }] } });
    const loincOnly = ferritin('b', 700, { identifier: acc, status: 'corrected' });
    const t = run(both, loincOnly);
    expect(values(t)).toEqual([['Observation/b', 700, 'corrected']]);
    expect(t.issues).toEqual([]);
  });

  test('different identifiers: both kept, a conflict at the same time (never dropped silently)', () => {
    const t = run(ferritin('a', 7000, { identifier: [ACC('F-1')] }), ferritin('b', 700, { status: 'corrected', identifier: [ACC('F-2')] }));
    expect(values(t)?.length).toBe(2);
    expect(t.conflicts).toHaveLength(1);
  });

  test('an identifier without a system does not link', () => {
    const t = run(ferritin('a', 7000, { identifier: [{ value: 'F-1' }] }), ferritin('b', 700, { status: 'corrected', identifier: [{ value: 'F-1' }] }));
    expect(values(t)?.length).toBe(2);
  });

  test('two finals with one identifier and no correction are left to the duplicate/conflict rule', () => {
    const t = run(ferritin('a', 7000, { identifier: [ACC('F-1')] }), ferritin('b', 700, { identifier: [ACC('F-1')] }));
    expect(values(t)?.length).toBe(2);
    expect(t.conflicts).toHaveLength(1);
  });

  test('another patient’s correction with the same identifier never supersedes this patient’s result', () => {
    const theirs = ferritin('x', 700, { status: 'corrected', identifier: [ACC('F-1')], subject: { reference: 'Patient/p2' } });
    const t = run(ferritin('a', 7000, { identifier: [ACC('F-1')] }), theirs);
    expect(values(t)).toEqual([['Observation/a', 7000, 'final']]);
    expect(t.issues.map((i) => i.code)).toEqual(['wrong-patient']);
  });

  test('an entered-in-error resource with the identifier does not supersede the correction', () => {
    const t = run(
      ferritin('a', 7000, { identifier: [ACC('F-1')] }),
      ferritin('b', 700, { status: 'corrected', identifier: [ACC('F-1')] }),
      ferritin('e', 1, { status: 'entered-in-error', identifier: [ACC('F-1')] }),
    );
    expect(values(t)).toEqual([['Observation/b', 700, 'corrected']]);
  });
});

test('the same resource id as final and as corrected, with no meta to order them: the correction is kept, silently', () => {
  const v1 = ferritin('f1', 7000, {});
  const v2 = ferritin('f1', 700, { status: 'corrected' });
  for (const order of [[v1, v2], [v2, v1]]) {
    const t = run(...order);
    expect(values(t)).toEqual([['Observation/f1', 700, 'corrected']]);
    expect(t.issues).toEqual([]);
  }
});
