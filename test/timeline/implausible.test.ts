/**
 * Values that cannot be right are excluded with an `implausible-value` warning ("check units") instead of entering
 * the timeline: not finite, outside the analyte's plausibility limits ([design], src/knowledge/analytes.ts), or a
 * Quantity whose value is a JSON string. Numeric valueStrings stay tolerated.
 */
import { defaultKnowledge, knowledgeSchema } from '../../src/knowledge';
import { createTimelineBuilder, type PatientTimeline } from '../../src/timeline';
import { obs, patient, qty } from './fixtures';
import type { AnalyteId } from '../../src/vocabulary';
import { withText } from '../support/issue-text';

const build = createTimelineBuilder(defaultKnowledge);
const one = (resource: unknown): PatientTimeline => build([patient, resource], { patientId: 'p1' });

describe('plausibility limits at their boundaries (canonical unit, inclusive)', () => {
  // [label, analyte, loinc, value[x], used]
  const rows: [string, AnalyteId, string, Record<string, unknown>, boolean][] = [
    ['ferritin 0', 'ferritin', '2276-4', qty(0, 'ng/mL', 'ng/mL'), true],
    ['ferritin negative', 'ferritin', '2276-4', qty(-1, 'ng/mL', 'ng/mL'), false],
    ['ferritin 250,000 (real HLH values exceed 100,000)', 'ferritin', '2276-4', qty(250000, 'ng/mL', 'ng/mL'), true],
    ['ferritin at the limit 5,000,000', 'ferritin', '2276-4', qty(5000000, 'ng/mL', 'ng/mL'), true],
    ['ferritin just above 5,000,000', 'ferritin', '2276-4', qty(5000001, 'ng/mL', 'ng/mL'), false],
    ['ferritin 1e21', 'ferritin', '2276-4', qty(1e21, 'ng/mL', 'ng/mL'), false],
    ['ferritin 1e308', 'ferritin', '2276-4', qty(1e308, 'ng/mL', 'ng/mL'), false],
    ['ferritin 1e308 mg/mL (converts to Infinity)', 'ferritin', '2276-4', qty(1e308, 'mg/mL', 'mg/mL'), false],
    ['ferritin valueString ">1e21" tolerated as a string but implausible', 'ferritin', '2276-4', { valueString: '1000000000000000000000 ng/mL' }, false],
    ['ferritin valueString "1,234 ng/mL" (strings stay tolerated)', 'ferritin', '2276-4', { valueString: '1,234 ng/mL' }, true],
    ['platelets 10,000 ×10⁹/L', 'platelets', '777-3', qty(10000, '10*9/L', '10*9/L'), true],
    ['platelets 10,001 ×10⁹/L', 'platelets', '777-3', qty(10001, '10*9/L', '10*9/L'), false],
    ['platelets 150,000 /uL (= 150 ×10⁹/L)', 'platelets', '777-3', qty(150000, '/uL', '/uL'), true],
    ['hemoglobin 30 g/dL', 'hemoglobin', '718-7', qty(30, 'g/dL', 'g/dL'), true],
    ['hemoglobin 85 g/dL (g/L value with a g/dL unit)', 'hemoglobin', '718-7', qty(85, 'g/dL', 'g/dL'), false],
    ['INR -0.5', 'inr', '6301-6', qty(-0.5), false],
    ['temperature 10 °C', 'temperature', '8310-5', qty(10, 'Cel', 'Cel'), true],
    ['temperature 9.9 °C', 'temperature', '8310-5', qty(9.9, 'Cel', 'Cel'), false],
    ['temperature 50 °C', 'temperature', '8310-5', qty(50, 'Cel', 'Cel'), true],
    ['temperature 101.3 sent as °C (a °F value)', 'temperature', '8310-5', qty(101.3, 'Cel', 'Cel'), false],
    ['temperature 101.3 °F', 'temperature', '8310-5', qty(101.3, '[degF]', '[degF]'), true],
    ['IL-6 100,000 pg/mL (CRS)', 'il6', '26881-3', qty(100000, 'pg/mL', 'pg/mL'), true],
  ];
  test.each(rows)('%s', (_label, analyte, loinc, value, used) => {
    const t = one(obs('o1', loinc, value));
    expect(t.labs[analyte]?.length ?? 0).toBe(used ? 1 : 0);
    const issue = t.issues.find((i) => i.code === 'implausible-value');
    if (used) expect(issue).toBeUndefined();
    else {
      expect(t.notEvaluable).toEqual([expect.objectContaining({ analyte, reasonCode: 'implausible', source: 'Observation/o1' })]);
      expect(issue && withText(issue)).toMatchObject({ severity: 'warning', source: 'Observation/o1', message: expect.stringMatching(/implausible value, check units\)\.$/) });
    }
  });
});

describe('a number sent as a JSON string where a Quantity is expected', () => {
  test.each([['"612"'], ['">40000"'], ['"1,234"']])('valueQuantity.value %s is excluded with a data issue', (text) => {
    const t = one(obs('o1', '2276-4', qty(JSON.parse(text), 'ng/mL', 'ng/mL')));
    expect(t.labs.ferritin).toBeUndefined();
    expect(t.notEvaluable[0]).toMatchObject({ reasonCode: 'implausible', original: { value: JSON.parse(text), unit: 'ng/mL' } });
    expect(t.issues.map(withText)).toEqual([expect.objectContaining({ code: 'implausible-value', message: expect.stringContaining(`the value is the text ${text}, not a number`) })]);
  });

  test('a non-numeric string stays "not numeric" (no plausibility claim)', () => {
    const t = one(obs('o1', '2276-4', qty('high', 'ng/mL', 'ng/mL')));
    expect(t.notEvaluable[0]).toMatchObject({ reasonCode: 'not-numeric' });
    expect(t.issues).toEqual([]);
  });

  test('JSON numbers beyond double range parse to Infinity: excluded as not finite', () => {
    const t = one(JSON.parse(JSON.stringify(obs('o1', '2276-4', qty(1, 'ng/mL', 'ng/mL'))).replace('"value":1', '"value":1e400')));
    expect(t.notEvaluable[0]).toMatchObject({ reasonCode: 'implausible', reason: 'valueQuantity.value is not a finite number' });
  });
});

test('a site can narrow the limits; values within them are unaffected', () => {
  const k = structuredClone(defaultKnowledge);
  k.analytes.analytes.ferritin.plausible = { min: 0, max: 100000 };
  const site = createTimelineBuilder(knowledgeSchema.parse(k));
  const t = site([patient, obs('a', '2276-4', qty(99999, 'ng/mL', 'ng/mL')), obs('b', '2276-4', qty(100001, 'ng/mL', 'ng/mL'), { effectiveDateTime: '2026-03-02T08:00:00Z' })], { patientId: 'p1' });
  expect(t.labs.ferritin?.map((v) => v.source)).toEqual(['Observation/a']);
  expect(t.notEvaluable.map((n) => n.source)).toEqual(['Observation/b']);
  expect(() => knowledgeSchema.parse({ ...k, analytes: { ...k.analytes, analytes: { ...k.analytes.analytes, ferritin: { ...k.analytes.analytes.ferritin, plausible: { min: 5, max: 1 } } } } })).toThrow(/min must be below max/);
});
