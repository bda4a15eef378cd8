/**
 * A CBC sent as one panel Observation with `component` values is found in both EHR data paths (the blood-count
 * query uses `combo-code`, which matches component codes) and read; a `hasMember` panel keeps working. The card
 * must not re-order a CBC drawn hours ago.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, DAY0, detailOf, LOINC, UCUM, type Json } from './chart';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

const DRAWN = '2026-03-15T09:00:00Z'; // 3 h before the evaluation
const q = (value: number, unit: string) => ({ value, unit, system: UCUM, code: unit });
const CBC: [string, number, string][] = [
  [CODE.platelets, 38, '10*9/L'],
  [CODE.hemoglobin, 7.9, 'g/dL'],
  [CODE.anc, 0.4, '10*9/L'],
  [CODE.wbc, 1.1, '10*9/L'],
];

function base(c: Chart): Json[] {
  return [
    c.patient(),
    c.carT(DAY0),
    c.lab(CODE.ferritin, 24500, 'ng/mL', '2026-03-15T08:00:00Z'),
    c.lab(CODE.fibrinogen, 110, 'mg/dL', '2026-03-15T08:00:00Z'),
  ];
}

function expectCbcRead(r: { status: number; card?: { detail?: string; suggestions?: { actions?: { description?: string }[] }[] }; extension?: Json }): void {
  expect(r.status).toBe(200);
  const detail = detailOf(r).replace(/\\/g, ''); // Markdown escapes off
  expect(detail).toMatch(/\| ↳ Platelets \| \*\*met\*\* \| 38 ×10⁹\/L .*\| 2026-03-15 09:00Z \|/);
  expect(detail).toMatch(/\| ↳ Neutrophils \(absolute\) \| \*\*met\*\* \| 0\.4 ×10⁹\/L/);
  const hlh = (r.extension?.criteria as { 'hlh-2004': { items: { id: string; state: string }[] } })['hlh-2004'].items;
  expect(hlh.find((i) => i.id === 'cytopenias')?.state).toBe('met');
  // drawn 3 h ago: not missing, not stale, not re-ordered
  const orders = (r.card?.suggestions ?? []).flatMap((s) => s.actions ?? []).map((a) => a.description ?? '');
  expect(orders.some((d) => d.includes('CBC'))).toBe(false);
  expect(detail).not.toMatch(/No result: [^\n]*CBC/);
  expect((r.extension?.missingWorkup as { id: string }[]).map((m) => m.id)).not.toContain('cbc-diff');
}

it('a CBC panel with component values is found and read in both paths', async () => {
  const c = new Chart('cbc-components');
  const panel = {
    resourceType: 'Observation',
    id: c.id('cbc'),
    status: 'final',
    code: { coding: [{ system: LOINC, code: CODE.cbcPanel }], text: 'CBC' },
    subject: c.subject,
    effectiveDateTime: DRAWN,
    component: CBC.map(([code, value, unit]) => ({ code: { coding: [{ system: LOINC, code }] }, valueQuantity: q(value, unit) })),
  };
  const { prefetch, fetch } = await h.both([...base(c), panel], { patientId: 'cbc-components' });
  expectCbcRead(prefetch);
  expectCbcRead(fetch);
  // the fetch path asked for component codes
  expect(h.fhir.requests.some((u) => u.includes('combo-code=') && decodeURIComponent(u).includes(`${LOINC}|${CODE.platelets}`))).toBe(true);
});

it('a hasMember CBC panel (members as their own Observations) keeps working', async () => {
  const c = new Chart('cbc-members');
  const members = CBC.map(([code, value, unit]) => c.lab(code, value, unit, DRAWN));
  const panel = {
    resourceType: 'Observation',
    id: c.id('cbc'),
    status: 'final',
    code: { coding: [{ system: LOINC, code: CODE.cbcPanel }] },
    subject: c.subject,
    effectiveDateTime: DRAWN,
    hasMember: members.map((m) => ({ reference: `Observation/${String(m.id)}` })),
  };
  const { prefetch, fetch } = await h.both([...base(c), panel, ...members], { patientId: 'cbc-members' });
  expectCbcRead(prefetch);
  expectCbcRead(fetch);
});
