/**
 * Trend rules that fit real sampling, in both EHR data paths: ferritin, CRP and IL-6 drawn 60 h apart are assessed
 * (the pair closest to 48 h within ± 24 h [design]), and the rapid rise names its comparison "earlier value".
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, DAY0, detailOf } from './chart';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

it('samples 60 h apart give the ferritin-up / CRP- and IL-6-down pattern; the rapid rise shows an earlier value', async () => {
  const c = new Chart('trend-pairs');
  const EARLY = '2026-03-12T20:00:00Z'; // 60 h before LATE
  const LATE = '2026-03-15T08:00:00Z';
  const resources = [
    c.patient(),
    c.carT(DAY0),
    c.lab(CODE.ferritin, 3000, 'ng/mL', EARLY),
    c.lab(CODE.ferritin, 5000, 'ng/mL', '2026-03-14T08:00:00Z'),
    c.lab(CODE.ferritin, 12000, 'ng/mL', LATE),
    c.lab(CODE.crp, 180, 'mg/L', EARLY),
    c.lab(CODE.crp, 40, 'mg/L', LATE),
    c.lab(CODE.il6, 900, 'pg/mL', EARLY),
    c.lab(CODE.il6, 60, 'pg/mL', LATE),
    c.lab(CODE.fibrinogen, 110, 'mg/dL', LATE),
  ];
  const { prefetch, fetch } = await h.both(resources, { patientId: 'trend-pairs' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    const detail = detailOf(r);
    expect(detail).toContain('Ferritin rising while CRP and IL-6 fall: this pattern favours IEC-HS over ongoing CRS (Porter 2022).');
    expect(detail).not.toContain('cannot be assessed');
    expect(detail).toContain('- Ferritin: 3,000 → 5,000 → 12,000 ng/mL (2026-03-12 20:00Z → 2026-03-15 08:00Z); change over 60 h ↑ 9,000 (×4)');
    const rising = detail.split('\n').find((l) => l.startsWith('| ↳ Ferritin rapidly rising'))!;
    expect(rising).toContain('**met**');
    expect(rising).toContain('earlier value 5,000 ng/mL (2026-03-14 08:00Z)');
    expect(rising).not.toContain('baseline');
  }
});
