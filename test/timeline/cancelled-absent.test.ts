/**
 * "An Observation with dataAbsentReason (e.g. specimen clotted, not performed) is 'no usable result: <reason>', not
 * 'no result'" [design]: labs often send such a test as status `cancelled`. Cancelled with the lab's reason and no
 * value is that unusable result; cancelled without a reason stays skipped, and a value is never read from it.
 */
import { defaultKnowledge } from '../../src/knowledge';
import { createTimelineBuilder } from '../../src/timeline';
import { obs, patient, qty } from './fixtures';

const build = createTimelineBuilder(defaultKnowledge);
const run = (...resources: unknown[]) => build([patient, ...resources], { patientId: 'p1' });
const clotted = { dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'error' }], text: 'specimen clotted' } };

it('cancelled + dataAbsentReason, no value: no usable result (the lab’s reason), like a final one', () => {
  for (const status of ['cancelled', 'final']) {
    const t = run(obs('fib', '3255-7', {}, { status, ...clotted }));
    expect(t.notEvaluable).toEqual([expect.objectContaining({ analyte: 'fibrinogen', reason: 'no usable result: specimen clotted', source: 'Observation/fib' })]);
    expect(t.labs.fibrinogen).toBeUndefined();
  }
});

it('cancelled without a reason, or with a value: skipped as before (never a value)', () => {
  const t = run(obs('a', '3255-7', {}, { status: 'cancelled' }), obs('b', '3255-7', qty(90, 'mg/dL', 'mg/dL'), { status: 'cancelled', ...clotted }));
  expect(t.notEvaluable).toEqual([]);
  expect(t.labs.fibrinogen).toBeUndefined();
  expect(t.issues.map((i) => [i.code, i.source])).toEqual([['cancelled-skipped', 'Observation/a'], ['cancelled-skipped', 'Observation/b']]);
});
