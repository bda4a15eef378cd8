/**
 * Children: the knowledge base's fallback ranges are adult bands; when a patient under 18 has a ULN/LLN criterion
 * judged against one (no lab range sent), the card says so in one line. Both EHR data paths.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, DAY0, detailOf, type Json } from './chart';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

/** Labs without reference ranges: ferritin (default ULN), ALT (adult fallback), fibrinogen (absolute threshold). */
function chart(pid: string, birthDate: string): Json[] {
  const c = new Chart(pid);
  return [
    c.patient(birthDate),
    c.carT(DAY0),
    c.lab(CODE.ferritin, 24500, 'ng/mL', '2026-03-15T08:00:00Z'),
    c.lab(CODE.alt, 240, 'U/L', '2026-03-15T08:00:00Z'),
    c.lab(CODE.fibrinogen, 110, 'mg/dL', '2026-03-15T08:00:00Z'),
  ];
}
const NOTE = /^\*\*Pediatric patient:\*\* (.*)$/m;

it('a 13-year-old: one line names the criteria judged against adult fallback or default ranges', async () => {
  const { prefetch, fetch } = await h.both(chart('child-13', '2012-05-01'), { patientId: 'child-13' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.indicator).toBe('warning');
    const lines = detailOf(r).split('\n').filter((l) => NOTE.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ALT');
    expect(lines[0]).toContain('Ferritin &gt; 2 × ULN');
    expect(lines[0]).toContain('(default ULN [design], adult)');
  }
});

it('the same values in an adult: no such line', async () => {
  const { prefetch, fetch } = await h.both(chart('adult-56', '1970-01-01'), { patientId: 'adult-56' });
  for (const r of [prefetch, fetch]) {
    expect(r.card?.indicator).toBe('warning');
    expect(detailOf(r)).not.toMatch(NOTE);
  }
});
