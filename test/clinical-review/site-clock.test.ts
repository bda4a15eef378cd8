/**
 * Dates are site calendar dates (SITE_TIMEZONE) everywhere, not UTC midnight [design, README "Site time"]:
 * - work-up freshness of a date-only result: fibrinogen dated 2026-03-14 at 08:30 on 15 March in Tokyo is 32.5 h
 *   old (stale after 24 h), not 23.5 h;
 * - the pediatric note (under 18, criteria.pediatric.underAgeYears): the 18th birthday starts at local midnight.
 */
import { assess } from '../../src/criteria';
import { defaultKnowledge } from '../../src/knowledge';
import { renderCards } from '../../src/render/cards';
import { loadCardContent } from '../../src/render/content';
import { buildTimeline } from '../../src/timeline';
import { CODE, administration, carT, lab } from './fhir';

type J = Record<string, unknown>;
const content = loadCardContent();
const nivo = administration('Opdivo 240 mg', '2026-01-10T10:00:00Z');
const florid = (t: string, skip: string[] = []): J[] =>
  [
    lab(CODE.ferritin, 12000, 'ng/mL', t), lab(CODE.platelets, 40, '10*9/L', t), lab(CODE.hemoglobin, 7.5, 'g/dL', t),
    lab(CODE.anc, 0.6, '10*9/L', t), lab(CODE.fibrinogen, 90, 'mg/dL', t), lab(CODE.temperature, 39.5, 'Cel', t),
  ].filter((r) => !skip.includes(((r.code as { coding: { code: string }[] }).coding[0] as { code: string }).code));

function detail(resources: J[], asOf: string, timeZone: string, birthDate = '1960-05-01'): string {
  const all = [{ resourceType: 'Patient', id: 'p1', birthDate }, ...resources];
  const a = assess(buildTimeline(all, defaultKnowledge, { patientId: 'p1', timeZone }), asOf, defaultKnowledge, { timeZone });
  return (renderCards(a, { patientId: 'p1', detail: 'full' }, content, () => 'u')[0]?.detail ?? '').replace(/\\/g, '');
}

it('a date-only fibrinogen is aged from 00:00 site time: stale after 24 h in Tokyo (32.5 h), fresh in UTC (23.5 h)', () => {
  const resources = [nivo, lab(CODE.fibrinogen, 90, 'mg/dL', '2026-03-14'), ...florid('2026-03-14T20:00:00Z', [CODE.fibrinogen])];
  const asOf = '2026-03-14T23:30:00Z'; // 08:30 on 15 March in Tokyo
  expect(detail(resources, asOf, 'Asia/Tokyo')).toMatch(/Fibrinogen \(33 h old, 2026-03-14; refresh after 24 h\)/);
  expect(detail(resources, asOf, 'UTC')).not.toMatch(/Fibrinogen \(\d+ h old/);
});

it('the 18th birthday starts at local midnight: a value at 01:00 Tokyo time on the birthday is an adult’s', () => {
  // IEC-HS: ferritin judged against the default ULN (no lab range) → the pediatric note for a child
  const resources = [carT('2026-03-05T10:00:00Z'), ...florid('2026-03-14T16:00:00Z')]; // 01:00 on 15 March in Tokyo
  expect(detail(resources, '2026-03-15T12:00:00Z', 'Asia/Tokyo', '2008-03-15')).not.toContain('Pediatric patient');
  expect(detail(resources, '2026-03-15T12:00:00Z', 'UTC', '2008-03-15')).toContain('Pediatric patient');
});
