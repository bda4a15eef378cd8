/**
 * Reference ranges sent only as `referenceRange.text` are used when they read one way, in both EHR data paths;
 * otherwise the fallback applies and the card says which text it could not read.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, DAY0, detailOf } from './chart';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

it('"20-250 ng/mL", "<35 U/L" are the lab’s ranges; "M: 10-40, F: 8-35" falls back and is named', async () => {
  const c = new Chart('text-ranges');
  const text = (t: string) => ({ referenceRange: [{ text: t }] });
  const resources = [
    c.patient(),
    c.carT(DAY0),
    c.lab(CODE.ferritin, 24500, 'ng/mL', '2026-03-15T08:00:00Z', text('20-250 ng/mL')),
    c.lab(CODE.alt, 240, 'U/L', '2026-03-15T08:00:00Z', text('<35 U/L')),
    c.lab(CODE.ast, 150, 'U/L', '2026-03-15T08:00:00Z', text('M: 10-40, F: 8-35')),
    c.lab(CODE.fibrinogen, 110, 'mg/dL', '2026-03-15T08:00:00Z', text('2.0–4.0 g/L')),
  ];
  const { prefetch, fetch } = await h.both(resources, { patientId: 'text-ranges' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    // ULN 250 from the text, not the default 400: 24,500 is 98× ULN
    expect(r.card?.summary).toContain('ferritin 24,500 ng/mL (98× ULN)');
    const rows = detailOf(r).replace(/\\/g, '').split('\n');
    const row = (label: string) => rows.find((l) => l.startsWith(`| ${label}`) || l.startsWith(`| ↳ ${label}`)) ?? '';
    expect(row('Ferritin > 2 × ULN'.replace('>', '&gt;'))).toContain('20–250 ng/mL (lab, from its text)');
    expect(row('ALT')).toContain('≤ 35 U/L (lab, from its text)');
    expect(row('ALT')).toContain('**met**'); // 240 > 5 × 35
    expect(row('AST')).toContain('0–35 U/L (fallback, adult; lab range text “M: 10-40, F: 8-35” not readable)');
    expect(row('AST')).toContain('lab range text not readable');
    expect(row('Hypofibrinogenemia')).toContain('200–400 mg/dL (lab, from its text)');
  }
});
