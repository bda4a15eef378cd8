/**
 * Corrected and amended results supersede the earlier version of the same Observation, in both EHR data paths:
 * a correction sent as a new resource with the same identifier, and a new version of the same resource id.
 * Neither is a "conflicting values" flag, and the trend shows only the corrected value.
 */
import { startBothPaths, type BothPaths } from '../support/both-paths';
import { Chart, CODE, detailOf } from './chart';

let h: BothPaths;
beforeAll(async () => {
  h = await startBothPaths();
});
afterAll(async () => h?.close());

it('a mistyped ferritin of 98,000 corrected to 12,000 (same identifier, new resource) never shows', async () => {
  const c = new Chart('corrected-id');
  const accession = [{ system: 'urn:oid:2.16.840.1.113883.19.5.99', value: 'ACC-7781-FER' }];
  const wrong = c.lab(CODE.ferritin, 98000, 'ng/mL', '2026-03-15T10:00:00Z', { identifier: accession, issued: '2026-03-15T10:40:00Z' });
  const fixed = c.lab(CODE.ferritin, 12000, 'ng/mL', '2026-03-15T10:00:00Z', { identifier: accession, status: 'corrected', issued: '2026-03-15T11:05:00Z' });
  const { prefetch, fetch } = await h.both([...c.iecHs(), wrong, fixed], { patientId: 'corrected-id' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.summary).toContain('ferritin 24,500 ng/mL');
    const detail = detailOf(r);
    expect(detail).not.toContain('98,000');
    expect(detail).not.toContain('conflicting values');
    expect(detail).not.toContain('duplicate-resource-differs');
    expect(detail).toContain('- Ferritin: 9,800 → 24,500 → 12,000 ng/mL');
  }
});

it('a new version of the same resource id (final, then amended) is one value, silently', async () => {
  const c = new Chart('corrected-version');
  const chart = c.iecHs();
  const v1 = c.lab(CODE.platelets, 380, '10*9/L', '2026-03-15T10:00:00Z');
  const v2 = { ...v1, status: 'amended', valueQuantity: { value: 38, unit: '10*9/L', system: 'http://unitsofmeasure.org', code: '10*9/L' } };
  // Prefetch: the EHR sent both versions (e.g. from its history); fetch: the server holds the amended one.
  const prefetch = await h.prefetch([...chart, v1, v2], { patientId: 'corrected-version' });
  await h.seed([...chart, v1]);
  await h.seed([v2]);
  const fetch = await h.fetch([], { patientId: 'corrected-version' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    const detail = detailOf(r);
    expect(detail).toContain('- Platelets: 38 → 38 ×10⁹/L (2026-03-15 08:00Z → 2026-03-15 10:00Z)');
    expect(detail).not.toContain('380');
    expect(detail).not.toContain('conflicting values');
    expect(detail).not.toContain('duplicate-resource-differs');
  }
});

it('an amended ALT sharing the draw’s accession number keeps the ferritin and fibrinogen of that draw (and the card)', async () => {
  // The same Observation = same identifier and same test; an accession spans every test of one draw.
  const c = new Chart('corrected-accession');
  const accession = [{ system: 'urn:oid:2.16.840.1.113883.19.5.99', value: 'ACC-7790' }];
  const chart = c.iecHs().map((r) =>
    r.resourceType === 'Observation' && r.effectiveDateTime === '2026-03-15T08:00:00Z' ? { ...r, identifier: accession } : r,
  );
  const alt = c.lab(CODE.alt, 40, 'U/L', '2026-03-15T08:00:00Z', { identifier: accession });
  const amendedAlt = c.lab(CODE.alt, 45, 'U/L', '2026-03-15T08:00:00Z', { identifier: accession, status: 'amended' });
  const { prefetch, fetch } = await h.both([...chart, alt, amendedAlt], { patientId: 'corrected-accession' });
  for (const r of [prefetch, fetch]) {
    expect(r.status).toBe(200);
    expect(r.card?.summary).toContain('ferritin 24,500 ng/mL');
    const detail = detailOf(r);
    expect(detail).toContain('- Ferritin: 9,800 → 24,500 ng/mL');
    expect(detail).toMatch(/Fibrinogen[^\n]*110 mg\/dL/);
    expect(detail).toContain('correction-identifier-shared');
  }
});
