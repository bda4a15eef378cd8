/**
 * Values that cannot be right (ferritin 1e21 or 1e308, a negative count, a Quantity value sent as a JSON string)
 * never reach the criteria, trends or summary, in both EHR data paths; each is named as a data issue on the card.
 * Medplum stores the numeric ones as sent; the string-valued Quantity (which a FHIR server would reject) comes
 * through a proxy that adds it to the server's answer.
 */
import { startInjectingProxy, type InjectingProxy } from '../support/fhir-proxy';
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, detailOf, type Json } from './chart';

let h: BothPaths;
let proxy: InjectingProxy;

beforeAll(async () => {
  h = await startBothPaths();
  proxy = await startInjectingProxy(h.fhir.baseUrl, CODE.ferritin);
});
afterAll(async () => {
  await proxy?.close();
  await h?.close();
});

it('implausible values are excluded with "implausible value, check units"; the card is built from the real ones', async () => {
  const c = new Chart('implausible-a');
  const chart = c.iecHs();
  const odd = [
    c.lab(CODE.ferritin, 1e21, 'ng/mL', '2026-03-15T09:00:00Z'),
    c.lab(CODE.ferritin, 1e308, 'ng/mL', '2026-03-15T10:00:00Z'),
    c.lab(CODE.platelets, -5, '10*9/L', '2026-03-15T10:00:00Z'),
  ];
  const stringValued = c.lab(CODE.ferritin, 0, 'ng/mL', '2026-03-15T11:00:00Z');
  (stringValued.valueQuantity as Json).value = '120000';

  const own = await h.prefetch(chart, { patientId: 'implausible-a' });
  expect(own.card?.indicator).toBe('warning');

  const prefetch = await h.prefetch([...chart, ...odd, stringValued], { patientId: 'implausible-a' });
  await h.seed([...chart, ...odd]);
  proxy.inject([stringValued]);
  const fetch = await h.fetch([], { patientId: 'implausible-a', fhirServer: proxy.baseUrl });
  proxy.inject([]);

  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.summary).toBe(own.card?.summary);
    expect(r.extension?.criteria).toEqual(own.extension?.criteria);
    const detail = detailOf(r).replace(/\\/g, '');
    // The trend line is the patient's real series; nothing of the implausible values reaches it.
    expect(detail).toContain('Ferritin: 9,800 → 24,500 ng/mL');
    const issues = detail.split('\n').filter((l) => l.includes('implausible-value'));
    const rest = detail.split('\n').filter((l) => !l.includes('implausible-value'));
    expect(rest.join('\n')).not.toMatch(/1e\+?21|1e\+?308|120,000|120000|-5 |−5/);
    expect(issues).toHaveLength(4);
    expect(issues.every((l) => l.includes('implausible value, check units'))).toBe(true);
    expect(issues.some((l) => l.includes('the value is the text "120000", not a number'))).toBe(true);
    expect(issues.some((l) => l.includes('Platelets: -5 ×10⁹/L is outside the plausible range 0–10000 ×10⁹/L'))).toBe(true);
  }
});
